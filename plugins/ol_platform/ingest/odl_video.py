"""ODL Video Service: video and transcript metadata, pulled every ten minutes from the service's
paged REST API and merged into ``raw__odl_video__api__videos`` / ``__collections`` on ``key``.

The API authenticates with ``Authorization: Token <token>`` (the connection's password) and
pages Django REST Framework style; the client follows each page's ``next`` link. Each run asks
only for rows with ``updated_at`` at or after the newest ``updated_at`` already in the lake
(the lake holds the cursor, not dlt state, so a run that dies before its commit is simply
repeated). Transcripts stay one JSON column per video. Column types are frozen: a feed that
flips a type is refused by the lake writer; a backfill run asks for its data interval instead
(``updated_since`` its start, rows updated at or after its end dropped: the API takes no end),
merged on ``key`` like any run, so repeating a window changes nothing; a changed page shape raises
:class:`FeedShapeError`; a refused token raises :class:`ApiAuthError`. None of them write.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pyiceberg.catalog import Catalog

from ol_platform.ingest.api_task import ApiAuthError, explain_refusal, require
from ol_platform.ingest.connections import ConnectionLike, http_base_url
from ol_platform.ingest.dlt_runner import TablePlan, lake_cursor, run_to_lake
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.ingest.window import Window
from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import CommitResult, WriteDisposition
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

__all__ = ["ApiAuthError", "FeedShapeError", "load_odl_video", "load_odl_video_from_connection"]

log = logging.getLogger(__name__)

ENDPOINTS = {"videos": "/api/v0/videos/", "collections": "/api/v0/collections/"}
# Ask for large pages; the service caps page_size and its `next` link carries the cap.
PAGE_SIZE = 100
CURSOR = "updated_at"


def _as_param(value: Any) -> str | None:
    """The lake's max ``updated_at`` as the API's ``updated_since`` (UTC, ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _updated_before(row: dict, until: datetime) -> bool:
    moment = datetime.fromisoformat(str(row[CURSOR]))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) < until


def _check_page(source: Source, entity: str, page: Any) -> None:
    body = page.response.json()
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        keys = sorted(body)[:10] if isinstance(body, dict) else "-"
        raise FeedShapeError(
            f"{source.title} {entity} {page.request.url}: expected a JSON object with a "
            f"'results' list, got {type(body).__name__} with keys {keys}"
        )
    for item in page:
        missing = {"key", CURSOR} - set(item if isinstance(item, dict) else ())
        if missing:
            raise FeedShapeError(
                f"{source.title} {entity} {page.request.url}: a row lacks {sorted(missing)} "
                f"(keys: {sorted(item)[:10] if isinstance(item, dict) else type(item).__name__})"
            )


def odl_video_api(
    source: Source,
    *,
    base_url: str,
    token: str,
    since: dict[str, str | None],
    page_size: int = PAGE_SIZE,
    until: datetime | None = None,
):
    """The dlt source: one resource per endpoint, each from its own ``updated_since``."""
    import dlt
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.auth import APIKeyAuth
    from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

    client = RESTClient(
        base_url=base_url,
        auth=APIKeyAuth(name="Authorization", api_key=f"Token {token}", location="header"),
        paginator=JSONLinkPaginator(next_url_path="next"),
    )

    def endpoint(entity: str):
        # "append" into staging: the merge on key happens in the lake commit, in one transaction.
        @dlt.resource(
            name=entity, primary_key="key", write_disposition="append", max_table_nesting=0
        )
        def rows():
            params: dict[str, Any] = {"page_size": page_size}
            if since[entity]:
                params["updated_since"] = since[entity]
            log.info("%s %s: rows updated since %s", source.name, entity, since[entity] or "ever")
            with explain_refusal(source):
                for page in client.paginate(
                    ENDPOINTS[entity], params=params, data_selector="results"
                ):
                    _check_page(source, entity, page)
                    yield page if until is None else [r for r in page if _updated_before(r, until)]

        return rows

    @dlt.source(name=source.name, max_table_nesting=0)
    def api():
        return [endpoint(entity) for entity in ENDPOINTS]

    return api()


def load_odl_video(
    source: Source,
    *,
    base_url: str,
    token: str,
    catalog: Catalog,
    settings: Settings,
    page_size: int = PAGE_SIZE,
    window: Window | None = None,
) -> list[CommitResult]:
    plans, since = [], {}
    for entity in ENDPOINTS:
        table = source.table(entity)
        lake_table = source.raw_table_name(table)
        identifier = f"{namespace(settings.env)}.{lake_table}"
        cursor = lake_cursor(catalog, identifier, table.cursor or CURSOR) if not window else None
        since[entity] = _as_param(window.start if window else cursor)
        plans.append(
            TablePlan(
                resource=entity,
                lake_table=lake_table,
                disposition=WriteDisposition.MERGE,
                primary_key=table.primary_key,
                freeze_types=True,  # a JSON API flipping a type is an error, not a new column
            )
        )
    data = odl_video_api(
        source,
        base_url=base_url,
        token=token,
        since=since,
        page_size=page_size,
        until=window.end if window else None,
    )
    return run_to_lake(source, data, plans, catalog=catalog, settings=settings)


def load_odl_video_from_connection(
    source: Source,
    conn: ConnectionLike,
    *,
    catalog: Catalog,
    settings: Settings,
    window: Window | None = None,
) -> list[CommitResult]:
    """Base URL from the connection's host/port, the API token from its password."""
    token = require(conn, "password", "ODL Video Service API token")
    return load_odl_video(
        source,
        base_url=http_base_url(conn),
        token=token,
        catalog=catalog,
        settings=settings,
        window=window,
    )
