"""Tables added to the sample databases by subject (programs, commerce, profiles, ...).

Each module declares its tables on a sample database's metadata and registers their rows with
``app_databases.extends``; importing this package registers them all.
"""

from ol_platform.samples.extensions import programs  # noqa: E402,F401
