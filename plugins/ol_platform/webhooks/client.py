"""POST one signed webhook to MIT Learn, retrying what a retry can fix.

* Retried, with exponential backoff and full jitter (a uniform draw in
  ``[0, min(backoff_max, backoff_base * 2**(attempt-1))]``, so many workers that failed
  together do not return together): HTTP 5xx, 408, 429, connection errors and timeouts. A
  ``Retry-After`` in seconds on 429/503 is honoured up to ``backoff_max``. After
  ``max_attempts`` the last error is raised as :class:`WebhookDeliveryError`.
* Not retried: any other 4xx (a wrong secret is 403 on every try); raised at once as
  :class:`WebhookRejectedError` with the answer's body.
* Timeouts, those of the platform we replace: 10 s to connect; 60 s for each of write, read
  and pool waits, which for a body of a few hundred bytes and a one-line JSON answer bounds
  the exchange.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from ol_platform.webhooks.signature import SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

CONTENT_FILES_PATH = "/api/v1/webhooks/content_files/"
RETRYABLE_4XX = (408, 429)
BODY_IN_ERRORS = 500  # characters of the answer quoted in an error


class WebhookError(RuntimeError):
    """A webhook was not acknowledged."""


class WebhookRejectedError(WebhookError):
    """MIT Learn answered a 4xx that a retry cannot change; nothing was retried."""

    def __init__(self, message: str, status_code: int, body: str) -> None:
        super().__init__(message)
        self.status_code, self.body = status_code, body


class WebhookDeliveryError(WebhookError):
    """Every attempt failed with a retryable error (5xx, 408, 429, timeout, connection)."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    connect_timeout: float = 10.0
    timeout: float = 60.0
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_max: float = 60.0

    @classmethod
    def from_extra(cls, base_url: str, extra: dict[str, Any]) -> ClientConfig:
        """Read the tunables from a connection's extra (same names as the fields)."""
        known = {k: float(v) for k, v in extra.items() if k in _TUNABLES}
        if "max_attempts" in known:
            known["max_attempts"] = int(known["max_attempts"])
        config = cls(base_url=base_url, **known)  # type: ignore[arg-type]
        if config.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {config.max_attempts}")
        return config


_TUNABLES = ("connect_timeout", "timeout", "max_attempts", "backoff_base", "backoff_max")


@dataclass(frozen=True)
class Ack:
    """MIT Learn's acknowledgement of one webhook."""

    status_code: int
    body: dict[str, Any]
    attempts: int
    seconds: float


@dataclass
class MITLearnClient:
    config: ClientConfig
    secret: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.config.timeout, connect=self.config.connect_timeout),
            transport=self.transport,
        )

    @property
    def url(self) -> str:
        return self.config.base_url.rstrip("/") + CONTENT_FILES_PATH

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MITLearnClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based): full jitter, capped."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        delay = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.config.backoff_max))
        return delay

    def post(self, body: bytes, *, label: str = "webhook") -> Ack:
        """POST ``body`` as is, signed; return the acknowledgement or raise a WebhookError."""
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self.secret)}
        started = time.monotonic()
        for attempt in range(1, self.config.max_attempts + 1):
            retry_after: float | None = None
            try:
                response = self._http.post(self.url, content=body, headers=headers)
            except httpx.TimeoutException as exc:
                problem = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return self._ack(response, label, attempt, time.monotonic() - started)
                text = response.text[:BODY_IN_ERRORS]
                if 400 <= status < 500 and status not in RETRYABLE_4XX:
                    raise WebhookRejectedError(
                        f"MIT Learn rejected {label}: POST {self.url} answered HTTP {status} "
                        f"{response.reason_phrase}: {text!r}; not retried, a {status} will not "
                        f"change on retry{_hint(status)}",
                        status,
                        text,
                    )
                problem = f"HTTP {status} {response.reason_phrase}: {text!r}"
                retry_after = _retry_after(response)
            if attempt == self.config.max_attempts:
                raise WebhookDeliveryError(
                    f"MIT Learn did not acknowledge {label}: POST {self.url} failed "
                    f"{attempt} time(s) in {time.monotonic() - started:.1f}s; last: {problem}",
                    attempt,
                )
            delay = self.backoff(attempt, retry_after)
            log.warning(
                "%s: attempt %d of %d %s; retrying in %.2fs",
                label,
                attempt,
                self.config.max_attempts,
                problem,
                delay,
            )
            self.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _ack(self, response: httpx.Response, label: str, attempts: int, seconds: float) -> Ack:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("status") != "success":
            raise WebhookRejectedError(
                f"MIT Learn answered {label} with HTTP {response.status_code} but not "
                f'{{"status": "success"}}: {response.text[:BODY_IN_ERRORS]!r}',
                response.status_code,
                response.text[:BODY_IN_ERRORS],
            )
        return Ack(response.status_code, body, attempts, seconds)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare here, the jittered backoff will do


def _hint(status: int) -> str:
    if status in (401, 403):
        return (
            "; check that the shared secret (connection 'mit_learn_webhook' password, or "
            "MIT_LEARN_WEBHOOK_SECRET) matches MIT Learn's WEBHOOK_SECRET"
        )
    return ""
