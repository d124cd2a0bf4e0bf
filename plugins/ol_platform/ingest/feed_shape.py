"""The error every feed loader raises when a feed answers with a shape it was not written for.

The reference platform's feed loaders (MIT Climate, MITPE, OLL, podcasts) are brittle scrapes;
ours stop with this error, naming the feed and what was missing, and write nothing.
"""


class FeedShapeError(ValueError):
    """The feed answered, but not with the shape the loader was written for."""
