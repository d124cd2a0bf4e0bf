"""MIT Climate Portal articles: a dlt REST source over the portal's paged JSON API, merged into
``raw__mit_climate__api__articles`` on ``uuid``.

The feed is marked brittle in the reference platform; this loader fails loudly when the
answer stops looking like the article list (no ``results`` list, or articles without
``uuid``) rather than landing an empty or partial table.
"""

from __future__ import annotations

from pyiceberg.catalog import Catalog

from ol_platform.ingest.dlt_runner import TablePlan, run_to_lake
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.lake.writer import CommitResult, WriteDisposition
from ol_platform.settings import Settings
from ol_platform.sources.models import Source


def articles_resource(base_url: str):
    import dlt
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

    client = RESTClient(base_url=base_url, paginator=JSONLinkPaginator(next_url_path="next"))

    # "append" into staging: the merge on uuid happens in the lake commit, in one transaction.
    @dlt.resource(
        name="articles", primary_key="uuid", write_disposition="append", max_table_nesting=0
    )
    def articles():
        for page in client.paginate("/api/articles", data_selector="results"):
            response = page.response.json()
            if not isinstance(response, dict) or not isinstance(response.get("results"), list):
                raise FeedShapeError(
                    f"MIT Climate feed {page.request.url}: expected a JSON object with a "
                    f"'results' list, got {type(response).__name__} with keys "
                    f"{sorted(response)[:10] if isinstance(response, dict) else '-'}"
                )
            for item in page:
                if "uuid" not in item:
                    raise FeedShapeError(
                        f"MIT Climate feed {page.request.url}: an article has no 'uuid' "
                        f"(keys: {sorted(item)[:10]})"
                    )
            yield page

    return articles


def load_mit_climate(
    source: Source, *, base_url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    table = source.table("articles")
    plan = TablePlan(
        resource="articles",
        lake_table=source.raw_table_name(table),
        disposition=WriteDisposition.MERGE,
        primary_key=table.primary_key,
        freeze_types=True,  # a JSON feed flipping a type is an error, not a new column
    )
    return run_to_lake(
        source, articles_resource(base_url), [plan], catalog=catalog, settings=settings
    )
