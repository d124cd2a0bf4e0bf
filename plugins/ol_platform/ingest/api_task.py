"""Pieces shared by the API-task loaders (ODL Video Service, Sloan Executive Education).

Credentials come from the source's Airflow connection; this module turns that connection into
what a loader needs, registers secrets with Airflow's masker so they never reach a task log,
and turns an API's refusal (HTTP 401/403) into an error that names the source, the status and
the connection to fix, instead of dlt's bare ``401 Client Error``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from ol_platform.ingest.connections import ConnectionLike, mask_secret
from ol_platform.sources.models import Source

REFUSED = (401, 403)
# RFC 6749 §5.2 error codes that mean "these client credentials will not do".
OAUTH_ERRORS = {"invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope"}


class ApiAuthError(PermissionError):
    """The API (or its token endpoint) refused the credentials; nothing was written."""


def require(conn: ConnectionLike, field: str, meaning: str) -> str:
    """A credential field of the connection, masked in logs; a clear error when it is empty."""
    value = getattr(conn, field, None)
    if not value:
        raise ApiAuthError(
            f"connection '{conn.conn_id}': field '{field}' must hold the {meaning}, but is empty"
        )
    mask_secret(value)
    return value


@contextlib.contextmanager
def explain_refusal(source: Source) -> Iterator[None]:
    """Turn an HTTP refusal of the credentials raised inside the block into ApiAuthError.

    A refusal is 401/403 from the API, or an OAuth error answer (RFC 6749 §5.2, often a 400)
    from a token endpoint. Other HTTP errors pass through unchanged.
    """
    from requests import HTTPError

    try:
        yield
    except HTTPError as exc:
        response = exc.response
        if response is None:
            raise
        body = _json(response)
        oauth_error = isinstance(body, dict) and body.get("error") in OAUTH_ERRORS
        if response.status_code not in REFUSED and not oauth_error:
            raise
        request = response.request
        path = urlparse(request.url or response.url).path if request else response.url
        raise ApiAuthError(
            f"{source.title} ({source.name}): {request.method if request else 'request'} {path} "
            f"answered HTTP {response.status_code} {response.reason} ({_detail(body)}); check "
            f"the credentials in connection '{source.local.conn_id}'. Nothing was written."
        ) from exc


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(body: Any) -> str:
    """The server's short reason (DRF ``detail`` or OAuth ``error``); never the request."""
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "detail", "error_description") if k in body]
        if parts:
            return ": ".join(parts)[:200]
    return "no reason given"
