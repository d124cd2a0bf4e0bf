"""HTTP plumbing shared by the Studio and Canvas export clients.

One ``httpx`` client per run with the reference timeouts (10 s to connect, 60 s per read); a
refused credential (401/403) becomes :class:`ExportAuthError` naming the system, the request
and the Airflow connection to fix; a transient answer (502/503/504, connection error) is tried
again a few times, since one hiccup should not throw away an export that took 40 minutes.
Tokens are registered with Airflow's secrets masker and never appear in messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse

import httpx

from ol_platform.ingest.connections import (
    ConnectionLike,
    connection_extra,
    http_base_url,
    mask_secret,
)

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
TRANSIENT = {502, 503, 504}
ATTEMPTS = 4


class ExportAuthError(PermissionError):
    """The system refused the credentials: retrying cannot help, nothing was exported."""


class ExportError(RuntimeError):
    """An export could not be started, finished or downloaded."""


@dataclass(frozen=True)
class PollPolicy:
    """How often an export's status is asked for, and how long it may take."""

    interval: float = 20.0
    timeout: float = 60 * 60.0
    # Exports Studio runs at once for us (Celery tasks on its workers).
    concurrency: int = 5

    @classmethod
    def from_connection(cls, conn: ConnectionLike) -> PollPolicy:
        """Connection extra ``poll_interval_seconds``, ``poll_timeout_minutes``, ``concurrency``."""
        extra = connection_extra(conn)
        try:
            return cls(
                interval=float(extra.get("poll_interval_seconds", cls.interval)),
                timeout=float(extra.get("poll_timeout_minutes", cls.timeout / 60)) * 60,
                concurrency=max(1, int(extra.get("concurrency", cls.concurrency))),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"connection '{conn.conn_id}': invalid polling extra ({exc})") from exc


def bearer_token(conn: ConnectionLike, system: str) -> str:
    if not conn.password:
        raise ExportAuthError(
            f"{system}: connection '{conn.conn_id}' has no API token (set its password)"
        )
    mask_secret(conn.password)
    return conn.password


class ApiClient:
    """Requests to one API with one authorization header; errors name ``system``."""

    def __init__(self, conn: ConnectionLike, system: str, scheme: str, token: str) -> None:
        self.base_url = http_base_url(conn)
        self.conn_id = conn.conn_id
        self.system = system
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"{scheme} {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        self.client.close()

    def request(
        self, method: str, url: str, accept: tuple[int, ...] = (), **kwargs: Any
    ) -> httpx.Response:
        """``accept``: error statuses the caller reads itself instead of raising."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise ExportError(
                        f"{self.system}: {method} {self._path(url)} failed after {attempt} "
                        f"tries: {type(exc).__name__}: {exc}"
                    ) from exc
            else:
                if response.status_code not in TRANSIENT or attempt == ATTEMPTS:
                    if response.status_code not in accept:
                        self.check(response)
                    return response
            delay = min(2.0 ** (attempt - 1), 10.0)
            log.warning(
                "%s: %s %s: transient failure, retrying in %.0f s",
                self.system,
                method,
                self._path(url),
                delay,
            )
            time.sleep(delay)
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.request(method, url, **kwargs).json()

    def stream_bytes(self, url: str) -> Iterator[bytes]:
        """The body of ``url`` in chunks; the token is sent only to the API's own host."""
        absolute = urljoin(self.base_url + "/", url)
        own_host = urlparse(absolute).netloc == urlparse(self.base_url).netloc
        stream = (
            self.client.stream("GET", absolute)
            if own_host
            else httpx.stream("GET", absolute, timeout=TIMEOUT)  # e.g. a presigned S3 URL
        )
        with stream as response:
            if response.status_code >= 400:
                response.read()
            self.check(response)
            yield from response.iter_bytes(1 << 20)

    def check(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        what = f"{response.request.method} {self._path(str(response.request.url))}"
        reason = f"HTTP {status} {response.reason_phrase} ({_detail(response)})"
        if status in (401, 403):
            raise ExportAuthError(
                f"{self.system}: {what} answered {reason}; check the API token in Airflow "
                f"connection '{self.conn_id}'. Nothing was exported."
            )
        raise ExportError(f"{self.system}: {what} answered {reason}")

    @staticmethod
    def _path(url: str) -> str:
        return urlparse(url).path or url


def _detail(response: httpx.Response) -> str:
    """The server's short reason (DRF ``detail``, Canvas ``errors``), never the request."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "no reason given"
    if isinstance(body, dict):
        if isinstance(body.get("errors"), list):
            return "; ".join(str(e.get("message", e)) for e in body["errors"])[:200]
        for key in ("detail", "developer_message", "error", "message"):
            if key in body:
                return str(body[key])[:200]
    return str(body)[:200]


@dataclass(frozen=True)
class Outcome:
    """One poll of one export: ``running`` (with the system's state), ``done`` or ``failed``."""

    status: str
    detail: Any = None


def poll_until_done(
    keys: list[Any], check: Callable[[Any], Outcome], policy: PollPolicy, system: str
) -> Iterator[tuple[Any, Outcome]]:
    """Poll every started export each ``interval`` and yield each as it finishes.

    The caller downloads a finished export between two rounds; one still running after
    ``timeout`` is yielded as failed (the system may finish it later; the next run asks again).
    """
    began = time.monotonic()
    pending = list(keys)
    while pending:
        for key in list(pending):
            outcome = check(key)
            if outcome.status == "running" and time.monotonic() - began > policy.timeout:
                outcome = Outcome(
                    "failed", f"still {outcome.detail} after {policy.timeout / 60:g} min"
                )
            if outcome.status != "running":
                pending.remove(key)
                yield key, outcome
        if pending:
            log.info("%s: %d export(s) still running", system, len(pending))
            time.sleep(policy.interval)
