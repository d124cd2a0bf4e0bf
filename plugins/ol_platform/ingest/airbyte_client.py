"""A small async client of Airbyte's public API that survives a flaky server.

The provider's hook (airbyte-api SDK) sends one request per call, blocks the triggerer's event
loop while it waits, does not retry its token request and reports ``Unexpected status code 401
from token endpoint`` without saying which server or connection. This client:

* exchanges the Airflow connection's client id and secret for a bearer token (the token URL is
  resolved as the SDK does) and fetches a fresh one when the API answers 401 (expired or
  revoked) or the token is near its ``expires_in``;
* retries 5xx, 429 (honouring ``Retry-After``), 401, timeouts and connection errors with
  exponential backoff and full jitter (a uniform draw in ``[0, min(backoff_max,
  backoff_base * 2**(attempt-1))]``) until a time budget is spent, then raises
  :class:`AirbyteUnavailableError`;
* fails at once with :class:`AirbyteCredentialsError` (an ``AirflowFailException``: task
  retries cannot fix it) when the token endpoint refuses the credentials (401/403);
* names the source, the Airbyte connection and the server (never credentials) in every error,
  and registers the client secret and every token with Airflow's secrets masker.

Tunables come from the Airflow connection's extra: ``timeout`` (seconds per request, 30),
``request_retry_seconds`` (budget to submit, list or cancel, 120), ``poll_retry_seconds``
(budget of consecutive failed polls, 900), ``backoff_base`` (1), ``backoff_max`` (60),
``poll_interval`` (60) and ``config_api_url`` (where failure reasons live).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from ol_platform.ingest.connections import ConnectionLike, connection_extra, mask_secret

RUNNING = ("running", "pending", "incomplete")
TERMINAL = ("succeeded", "failed", "cancelled")
BODY_IN_ERRORS = 300  # characters of an answer quoted in an error
TUNABLES = {
    "timeout": 30.0,
    "request_retry_seconds": 120.0,
    "poll_retry_seconds": 900.0,
    "backoff_base": 1.0,
    "backoff_max": 60.0,
    "poll_interval": 60.0,
}
POSITIVE = ("timeout", "backoff_base", "poll_interval")  # the others may be 0: no retries
T = TypeVar("T")


class AirbyteError(AirflowException):
    """An Airbyte request did not give what the task needs."""


class AirbyteCredentialsError(AirbyteError, AirflowFailException):
    """The token endpoint refused the client credentials: no retry can change that."""


class AirbyteUnavailableError(AirbyteError):
    """Every attempt failed with a retryable error until the retry budget was spent."""


class AirbyteRequestError(AirbyteError):
    """Airbyte answered a 4xx that a retry will not change (404, 409, 422...)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def server_label(url: str) -> str:
    """``url`` without user info, query or fragment: safe to print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True)
class AirbyteConfig:
    """Where the API is, how to authenticate and how long to keep trying."""

    conn_id: str
    base_url: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token_url: str = "v1/applications/token"
    config_api_url: str | None = None
    timeout: float = TUNABLES["timeout"]
    request_retry_seconds: float = TUNABLES["request_retry_seconds"]
    poll_retry_seconds: float = TUNABLES["poll_retry_seconds"]
    backoff_base: float = TUNABLES["backoff_base"]
    backoff_max: float = TUNABLES["backoff_max"]
    poll_interval: float = TUNABLES["poll_interval"]

    @classmethod
    def from_connection(cls, conn: ConnectionLike) -> AirbyteConfig:
        """Read an Airflow connection of type ``airbyte``: host = the public API's URL (e.g.
        ``https://airbyte.example.org/api/public/v1``), login/password = client id/secret,
        schema = token URL. Bad values fail at once: a retry would read them again."""
        where = f"Airflow connection '{conn.conn_id}'"
        if not conn.host or "://" not in conn.host:
            raise AirflowFailException(
                f"{where}: host must be the Airbyte public API's URL, e.g. "
                "https://airbyte.example.org/api/public/v1"
            )
        extra = connection_extra(conn)
        tunables: dict[str, float] = {}
        for key, default in TUNABLES.items():
            value = extra.get(key, default)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = -1.0
            if not number >= 0 or (number == 0 and key in POSITIVE):
                raise AirflowFailException(
                    f"{where}: extra '{key}' must be a positive number of seconds, got {value!r}"
                )
            tunables[key] = number
        if conn.password:
            mask_secret(conn.password)
        return cls(
            conn_id=conn.conn_id,
            base_url=conn.host.rstrip("/"),
            client_id=conn.login or None,
            client_secret=conn.password or None,
            token_url=conn.schema or "v1/applications/token",
            config_api_url=extra.get("config_api_url") or None,
            **tunables,
        )

    @property
    def server(self) -> str:
        return server_label(self.base_url)

    @property
    def token_endpoint(self) -> str:
        # The SDK's rule: a relative token URL is joined to the public API's URL.
        if urlsplit(self.token_url).netloc:
            return self.token_url
        return urljoin(self.base_url, self.token_url)

    @property
    def config_api(self) -> str:
        """The config API (``/api/v1``), where failure reasons live."""
        return (self.config_api_url or self.base_url.replace("/api/public/", "/api/")).rstrip("/")


@dataclass(frozen=True)
class SyncTarget:
    """What every message names: the source, its Airbyte connection and the server."""

    source: str
    connection_name: str
    connection_id: str
    server: str

    def __str__(self) -> str:
        return (
            f"source '{self.source}', Airbyte connection '{self.connection_name}' "
            f"({self.connection_id or 'no id'}) on {self.server}"
        )


class _Retryable(Exception):
    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after


@dataclass
class AirbyteClient:
    """Use as ``async with AirbyteClient(config, target) as client``."""

    config: AirbyteConfig
    target: SyncTarget
    log: logging.Logger | Any = field(default_factory=lambda: logging.getLogger(__name__))
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _token: str | None = field(default=None, init=False, repr=False)
    _token_renew_at: float = field(default=0.0, init=False)
    _http: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    async def __aenter__(self) -> AirbyteClient:
        self._http = httpx.AsyncClient(timeout=self.config.timeout, follow_redirects=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- the API ---------------------------------------------------------------------------

    async def get_job(self, job_id: int, budget: float | None = None) -> dict[str, Any]:
        answer = await self._call("GET", f"/jobs/{job_id}", budget=budget)
        return answer.json()

    async def running_jobs(self, budget: float | None = None) -> list[dict[str, Any]]:
        """The connection's sync jobs that have not finished (Airbyte runs at most one)."""
        found: list[dict[str, Any]] = []
        for status in RUNNING:
            params = {
                "connectionId": self.target.connection_id,
                "jobType": "sync",
                "status": status,
                "limit": 5,
            }
            answer = await self._call("GET", "/jobs", params=params, budget=budget)
            found += [j for j in answer.json().get("data", []) if j.get("status") in RUNNING]
        return found

    async def submit_sync(self, budget: float | None = None) -> dict[str, Any]:
        body = {"connectionId": self.target.connection_id, "jobType": "sync"}
        answer = await self._call("POST", "/jobs", json=body, budget=budget)
        return answer.json()

    async def cancel_job(self, job_id: int, budget: float | None = None) -> dict[str, Any]:
        answer = await self._call("DELETE", f"/jobs/{job_id}", budget=budget)
        return answer.json()

    async def failure_reason(self, job_id: int, budget: float = 30.0) -> str | None:
        """Airbyte's own explanation of a failed job (each attempt's ``failureSummary`` in
        the config API; the public API's job carries only a status)."""
        url = f"{self.config.config_api}/jobs/get"
        answer = await self._call("POST", url, json={"id": job_id}, budget=budget)
        messages = [
            failure.get("externalMessage") or failure.get("internalMessage")
            for attempt in answer.json().get("attempts", [])
            for failure in (attempt.get("attempt", {}).get("failureSummary") or {}).get(
                "failures", []
            )
        ]
        return " | ".join(dict.fromkeys(m for m in messages if m)) or None

    # -- retries ---------------------------------------------------------------------------

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based): full jitter, capped; a
        server's ``Retry-After`` is a floor."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        delay = self.rng.uniform(0, ceiling)
        return max(delay, retry_after) if retry_after is not None else delay

    async def _call(
        self,
        method: str,
        path: str,
        *,
        budget: float | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        budget = self.config.request_retry_seconds if budget is None else max(0.0, budget)
        url = path if "://" in path else f"{self.config.base_url}{path}"
        what = f"{method} {server_label(url).removeprefix(self.target.server) or url}"
        return await self._retrying(
            what, budget, lambda: self._send(method, url, what, json, params)
        )

    async def _retrying(
        self, what: str, budget: float, attempt_once: Callable[[], Awaitable[T]]
    ) -> T:
        """Run ``attempt_once()`` until it returns, raises a non-retryable error or ``budget``
        seconds are spent."""
        started = time.monotonic()
        attempt, last_problem = 0, ""
        while True:
            attempt += 1
            try:
                return await attempt_once()
            except _Retryable as exc:
                problem, retry_after = str(exc), exc.retry_after
            # A first 401 means the token expired or was revoked: retry at once with a fresh one.
            first_401 = problem.startswith("HTTP 401") and not last_problem.startswith("HTTP 401")
            delay = 0.0 if first_401 else self.backoff(attempt, retry_after)
            elapsed = time.monotonic() - started
            last_problem = problem
            if elapsed + delay > budget:
                raise AirbyteUnavailableError(
                    f"{self.target}: {what} failed {attempt} time(s) in {elapsed:.1f}s (retry "
                    f"budget {budget:g}s); last: {problem}"
                )
            self.log.warning(
                "%s: %s attempt %d: %s; retrying in %.2fs (budget %gs, %.1fs used)",
                self.target,
                what,
                attempt,
                problem,
                delay,
                budget,
                elapsed,
            )
            await self.sleep(delay)

    async def _send(
        self,
        method: str,
        url: str,
        what: str,
        json: Any,
        params: dict[str, Any] | None,
    ) -> httpx.Response:
        assert self._http is not None, "use the client as an async context manager"
        headers = {"Accept": "application/json"}
        if self.config.client_id and self.config.client_secret:
            headers["Authorization"] = f"Bearer {await self._bearer()}"
        answer = await self._exchange(method, url, json=json, params=params, headers=headers)
        status = answer.status_code
        if 200 <= status < 300:
            return answer
        if status == 401:
            self._token = None
            if not headers.get("Authorization"):
                raise AirbyteCredentialsError(
                    f"{self.target}: {what} answered HTTP 401 and Airflow connection "
                    f"'{self.config.conn_id}' has no client id and secret (login and password)"
                )
            raise _Retryable("HTTP 401 (token expired or revoked; fetching a fresh one)")
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}: {_body(answer)}", _retry_after(answer))
        raise AirbyteRequestError(
            f"{self.target}: {what} answered HTTP {status}: {_body(answer)}", status
        )

    async def _exchange(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        assert self._http is not None
        try:
            return await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise _Retryable(
                f"timed out after {self.config.timeout:g}s ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from None

    async def _bearer(self) -> str:
        if self._token is None or time.monotonic() >= self._token_renew_at:
            self._token = await self._new_token()
        return self._token

    async def _new_token(self) -> str:
        endpoint = self.config.token_endpoint
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        answer = await self._exchange("POST", endpoint, data=form)
        status = answer.status_code
        if status in (401, 403):
            raise AirbyteCredentialsError(
                f"{self.target}: the token endpoint {server_label(endpoint)} refused the client "
                f"credentials (HTTP {status}) of Airflow connection '{self.config.conn_id}' "
                "(login = client id, password = client secret); not retried, fix the connection"
            )
        if status == 429 or status >= 500:
            raise _Retryable(f"token endpoint: HTTP {status}", _retry_after(answer))
        try:
            payload = answer.json() if 200 <= status < 300 else None
            token = payload["access_token"] if isinstance(payload, dict) else None
        except (ValueError, KeyError):
            token = None
        if not isinstance(token, str) or not token:
            raise AirbyteRequestError(
                f"{self.target}: the token endpoint {server_label(endpoint)} answered HTTP "
                f"{status} without an access token",
                status,
            )
        mask_secret(token)
        expires_in = payload.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        # Renew a minute early (or at half life for short tokens), as the SDK does.
        self._token_renew_at = time.monotonic() + lifetime - min(60.0, lifetime / 2)
        return token


def _body(answer: httpx.Response) -> str:
    return repr(answer.text[:BODY_IN_ERRORS])


def _retry_after(answer: httpx.Response) -> float | None:
    value = answer.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from synchronous code (a worker's execute or on_kill), even when the
    caller already runs an event loop (``dag.test`` runs triggers inline)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())  # type: ignore[arg-type]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]
