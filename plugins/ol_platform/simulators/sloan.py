"""A fixture of the Sloan Executive Education courses API with its OAuth2 server, over real HTTP.

* ``POST /oauth/token`` — client-credentials grant (RFC 6749 §4.4): form
  ``grant_type=client_credentials``, client authenticated by HTTP Basic or by form
  ``client_id``/``client_secret``. Wrong credentials answer 401 ``{"error": "invalid_client"}``;
  another grant type 400 ``{"error": "unsupported_grant_type"}``. Success answers
  ``{"access_token", "token_type": "Bearer", "expires_in"}``.
* ``GET /api/v1/courses?offset=&limit=`` — needs ``Authorization: Bearer <token>``; an unknown
  or expired token answers 401 ``{"error": "invalid_token"}``. Pages are
  ``{"data": [...], "meta": {"total", "offset", "limit"}}``, ``limit`` capped at ``max_limit``.

Tokens live ``token_lifetime`` seconds on ``clock`` (``time.monotonic`` unless a test passes its
own, which makes expiry mid-paging deterministic); ``expires_in`` announces the same lifetime.
:meth:`SloanAPI.advance` moves to the next revision: every eighth course changes fee and dates,
three courses are added. Requests are recorded (never their credentials).
"""

from __future__ import annotations

import base64
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from ol_platform.simulators.http import JSONHandler

MAX_LIMIT = 50
NEW_COURSES_PER_REVISION = 3
TOPICS = ["Leadership", "Strategy", "Finance", "Innovation", "AI", "Operations", "Marketing"]
FORMATS = ["In person", "Live online", "Self-paced online"]


def courses(count: int = 120, revision: int = 0, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    first = date(2025, 1, 13)
    out = []
    for i in range(count + NEW_COURSES_PER_REVISION * revision):
        start = first + timedelta(weeks=i % 52, days=rng.randrange(5))
        days = rng.choice([2, 3, 5])
        fee = 4800 + 100 * rng.randrange(60)
        modified = datetime(2024, 11, 1, tzinfo=UTC) + timedelta(hours=7 * i)
        if i >= count:
            modified = datetime(2025, 6, 1, tzinfo=UTC) + timedelta(days=revision)
        elif revision and i % 8 == 0:
            fee += 250 * revision
            start += timedelta(weeks=revision)
            modified = datetime(2025, 6, 1, tzinfo=UTC) + timedelta(days=revision)
        topic = TOPICS[i % len(TOPICS)]
        out.append(
            {
                "course_id": f"SEE-{1001 + i}",
                "title": f"{topic} for Executives {i + 1}",
                "description": f"A {days}-day program on {topic.lower()} for senior leaders.",
                "url": f"https://executive.mit.edu/course/see-{1001 + i}",
                "format": FORMATS[i % len(FORMATS)],
                "location": "Cambridge, MA" if i % len(FORMATS) == 0 else None,
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=days - 1)).isoformat(),
                "duration_days": days,
                "fee": fee,
                "currency": "USD",
                "topics": [topic, TOPICS[(i + 3) % len(TOPICS)]],
                "is_active": i % 11 != 0,
                "modified": modified.isoformat().replace("+00:00", "Z"),
            }
        )
    return out


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    status: int
    rows: int = 0


@dataclass
class SloanAPI:
    """State of one simulated API and its token server; ``handler()`` gives the class to serve."""

    client_id: str
    client_secret: str
    course_count: int = 120
    token_lifetime: float = 300.0
    max_limit: int = MAX_LIMIT
    clock: Callable[[], float] = time.monotonic
    revision: int = 0
    requests: list[Request] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self) -> int:
        with self._lock:
            self.revision += 1
            return self.revision

    @property
    def token_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/oauth/token"]

    @property
    def course_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/api/v1/courses"]

    def handler(self) -> type[JSONHandler]:
        api = self

        class Handler(JSONHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                if self.path_only != "/oauth/token":
                    self._reply("POST", 404, {"error": "not_found"})
                    return
                form = {k: v[-1] for k, v in parse_qs(self.body().decode()).items()}
                self._reply("POST", *api.issue(form, self.headers.get("Authorization")))

            def do_GET(self) -> None:  # noqa: N802
                if self.path_only.rstrip("/") != "/api/v1/courses":
                    self._reply("GET", 404, {"error": "not_found"})
                    return
                self._reply("GET", *api.page(self.query, self.headers.get("Authorization")))

            def _reply(self, method: str, status: int, payload: dict) -> None:
                rows = len(payload.get("data", [])) if status == 200 else 0
                with api._lock:
                    api.requests.append(
                        Request(method, self.path_only.rstrip("/"), self.query, status, rows)
                    )
                self.send_json(status, payload)

        return Handler

    def _client(self, form: dict[str, str], authorization: str | None) -> tuple[str, str]:
        if authorization and authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                return "", ""
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    def issue(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        client_id, secret = self._client(form, authorization)
        if not (
            # as bytes: compare_digest refuses str with non-ASCII characters
            secrets.compare_digest(client_id.encode(), self.client_id.encode())
            and secrets.compare_digest(secret.encode(), self.client_secret.encode())
        ):
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.clock() + self.token_lifetime
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
        }

    def page(self, query: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        token = (authorization or "").removeprefix("Bearer ")
        expires = self._tokens.get(token) if authorization else None
        if expires is None:
            return 401, {"error": "invalid_token", "error_description": "Unknown access token"}
        if self.clock() >= expires:
            return 401, {"error": "invalid_token", "error_description": "The access token expired"}
        try:
            offset = int(query.get("offset", "0"))
            limit = min(int(query.get("limit", self.max_limit)), self.max_limit)
        except ValueError:
            return 400, {"error": "invalid_request"}
        rows = courses(self.course_count, self.revision)
        return 200, {
            "data": rows[offset : offset + limit],
            "meta": {"total": len(rows), "offset": offset, "limit": limit},
        }
