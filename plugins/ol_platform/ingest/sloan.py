"""Sloan Executive Education courses: a daily pull of the courses API, authenticated with the
OAuth2 client-credentials grant, merged into ``raw__sloan_executive_education__api__courses``
on ``course_id``.

The client id and secret are the connection's login and password (registered with Airflow's
secrets masker, never logged); the token endpoint defaults to ``<host>/oauth/token`` and can be
moved with the connection extra ``token_url``. dlt's ``OAuth2ClientCredentials`` refreshes a
token when its announced ``expires_in`` runs out; a server may still end a token earlier
(revocation, clock skew, a long page), so this loader also fetches a new token once when the
API answers 401 and repeats that request. Refused credentials raise :class:`ApiAuthError`, a
changed page shape :class:`FeedShapeError`, a flipped column type the writer's
``LoadRefusedError``; none of them write.
"""

from __future__ import annotations

import logging
from typing import Any

from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
from pyiceberg.catalog import Catalog
from requests import PreparedRequest, Response

from ol_platform.ingest.api_task import ApiAuthError, explain_refusal, require
from ol_platform.ingest.connections import (
    ConnectionLike,
    connection_extra,
    http_base_url,
    mask_credentials,
    mask_secret,
)
from ol_platform.ingest.dlt_runner import TablePlan, run_to_lake
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.lake.writer import CommitResult, WriteDisposition
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

__all__ = [
    "ApiAuthError",
    "FeedShapeError",
    "load_sloan_exec_ed",
    "load_sloan_exec_ed_from_connection",
]

log = logging.getLogger(__name__)

COURSES_PATH = "/api/v1/courses"
PAGE_LIMIT = 50  # the API's documented page cap; a smaller page than asked is an error below
# Refresh a little before the announced expiry, so a token does not run out on the wire.
EXPIRY_MARGIN_SECONDS = 30


@configspec
class ReauthenticatingClientCredentials(OAuth2ClientCredentials):
    """dlt's client-credentials auth, plus one new token and one retry when the API answers 401."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request = super().__call__(request)
        request.register_hook("response", self._reauthenticate_on_401)
        return request

    def obtain_token(self) -> None:
        super().obtain_token()
        mask_secret(str(self.access_token))
        log.info("obtained an access token from %s", self.access_token_url)

    def parse_expiration_in_seconds(self, response_json: Any) -> int:
        seconds = super().parse_expiration_in_seconds(response_json)
        return max(0, seconds - min(EXPIRY_MARGIN_SECONDS, seconds // 10))

    def _reauthenticate_on_401(self, response: Response, **kwargs: Any) -> Response:
        # Runs before RESTClient's raise-for-status hook, which then sees the retried answer.
        # The retried answer is sent by the adapter, which runs no hooks: one retry at most.
        if response.status_code != 401:
            return response
        log.info("the API refused the access token (%s); fetching a new one", response.reason)
        self.obtain_token()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.access_token}"
        response.content  # noqa: B018 - drain the body so the connection can be reused
        response.close()
        answer = response.connection.send(retry, **kwargs)
        answer.history.append(response)
        answer.request = retry
        return answer


class CheckedOffsetPaginator(OffsetPaginator):
    """Offset paging that checks each page first: a changed shape is a FeedShapeError (not a
    paginator error), and a page the server cut below the asked limit stops the run instead of
    silently skipping the rows between offsets."""

    def __init__(self, source: Source, limit: int) -> None:
        super().__init__(limit=limit, total_path="meta.total")
        self.source = source

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        where = f"{self.source.title} {response.request.method} {COURSES_PATH}"
        body = response.json()
        meta = body.get("meta") if isinstance(body, dict) else None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("data"), list)
            or not isinstance(meta, dict)
            or not isinstance(meta.get("total"), int)
        ):
            keys = sorted(body)[:10] if isinstance(body, dict) else "-"
            raise FeedShapeError(
                f"{where}: expected a JSON object with a 'data' list and 'meta.total', "
                f"got {type(body).__name__} with keys {keys}"
            )
        rows = body["data"]
        for row in rows:
            if not isinstance(row, dict) or "course_id" not in row:
                raise FeedShapeError(f"{where}: a course has no 'course_id' ({str(row)[:80]})")
        offset = int(meta.get("offset", self.current_value))
        if len(rows) < self.limit and offset + len(rows) < meta["total"]:
            raise FeedShapeError(
                f"{where}: the server returned {len(rows)} rows for limit={self.limit} with "
                f"{meta['total']} in all; it caps pages lower, so set the page limit to "
                f"{len(rows)} or less"
            )
        super().update_state(response, data)


def courses_resource(
    source: Source,
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    token_url: str | None = None,
    page_limit: int = PAGE_LIMIT,
):
    import dlt
    from dlt.sources.helpers.rest_client import RESTClient

    # The secret travels form-encoded in the token request, or in a Basic header.
    mask_credentials(client_id, client_secret)
    auth = ReauthenticatingClientCredentials(
        access_token_url=token_url or f"{base_url.rstrip('/')}/oauth/token",
        client_id=client_id,
        client_secret=client_secret,
    )
    client = RESTClient(
        base_url=base_url, auth=auth, paginator=CheckedOffsetPaginator(source, page_limit)
    )

    # "append" into staging: the merge on course_id happens in the lake commit.
    @dlt.resource(
        name="courses", primary_key="course_id", write_disposition="append", max_table_nesting=0
    )
    def courses():
        with explain_refusal(source):
            yield from client.paginate(COURSES_PATH, data_selector="data")

    return courses


def load_sloan_exec_ed(
    source: Source,
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    catalog: Catalog,
    settings: Settings,
    token_url: str | None = None,
    page_limit: int = PAGE_LIMIT,
) -> list[CommitResult]:
    table = source.table("courses")
    plan = TablePlan(
        resource="courses",
        lake_table=source.raw_table_name(table),
        disposition=WriteDisposition.MERGE,
        primary_key=table.primary_key,
        freeze_types=True,  # a JSON API flipping a type is an error, not a new column
    )
    resource = courses_resource(
        source,
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        page_limit=page_limit,
    )
    return run_to_lake(source, [resource], [plan], catalog=catalog, settings=settings)


def load_sloan_exec_ed_from_connection(
    source: Source, conn: ConnectionLike, *, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    """Client id/secret from the connection's login/password; extra ``token_url`` optional."""
    return load_sloan_exec_ed(
        source,
        base_url=http_base_url(conn),
        client_id=require(conn, "login", "OAuth client id"),
        client_secret=require(conn, "password", "OAuth client secret"),
        token_url=connection_extra(conn).get("token_url"),
        catalog=catalog,
        settings=settings,
    )
