"""A fixture of the ODL Video Service API, served over real HTTP.

* ``GET /api/v0/videos/`` and ``GET /api/v0/collections/`` answer Django REST Framework pages,
  ``{"count", "next", "previous", "results": [...]}``, ordered by ``(updated_at, key)``.
* ``Authorization: Token <token>`` is required: none or a wrong one answers 401 with DRF's
  ``{"detail": ...}``.
* ``page`` (1-based) and ``page_size`` (capped at ``max_page_size``) page the answer; ``next``
  carries every query parameter, so a client simply follows it.
* ``updated_since`` (ISO 8601) keeps rows with ``updated_at >= updated_since``: inclusive, so a
  row sharing the client's last-seen stamp is sent again rather than missed.

Videos carry their transcripts (language, file, human or machine made) as a nested list. The
data is deterministic; :meth:`ODLVideoAPI.advance` moves to the next revision, in which every
tenth video and the first collection are edited and five videos and one collection appear.
Every request is recorded for tests to inspect.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ol_platform.simulators.http import JSONHandler

MAX_PAGE_SIZE = 50
NEW_VIDEOS_PER_REVISION = 5
T0 = datetime(2023, 1, 1, tzinfo=UTC)
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "zh": "Chinese", "ar": "Arabic"}
SUBJECTS = ["Linear Algebra", "Thermodynamics", "Supply Chains", "Genetics", "Macroeconomics"]


def _stamp(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def _revised_at(revision: int) -> datetime:
    """Edits of a revision are stamped well after every original row."""
    return T0 + timedelta(days=1000, hours=revision)


def collections(count: int = 12, revision: int = 0, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count + revision):
        created = T0 + timedelta(days=i, hours=rng.randrange(24))
        updated = created + timedelta(hours=rng.randrange(1, 200))
        title = f"{SUBJECTS[i % len(SUBJECTS)]} lecture videos, part {i + 1}"
        if i >= count:  # appeared in a later revision
            created = updated = _revised_at(i - count + 1)
        elif revision and i == 0:
            updated, title = _revised_at(revision), f"{title} (revised {revision})"
        out.append(
            {
                "key": uuid.UUID(int=rng.getrandbits(128)).hex,
                "title": title,
                "description": f"Recorded lectures of {SUBJECTS[i % len(SUBJECTS)]}.",
                "owner": rng.choice(["mitx", "ocw", "professional-ed"]),
                "edx_course_id": f"course-v1:MITx+{6000 + i}+2024_Fall",
                "is_logged_in_only": i % 4 == 0,
                "created_at": _stamp(created),
                "updated_at": _stamp(updated),
            }
        )
    return out


def videos(
    count: int = 130,
    revision: int = 0,
    *,
    collection_keys: list[str],
    duration_as_text: bool = False,
    seed: int = 7,
) -> list[dict]:
    """``duration_as_text`` sends ``duration_seconds`` as "754s": a feed that flipped a type."""
    rng = random.Random(seed)
    out = []
    for i in range(count + NEW_VIDEOS_PER_REVISION * revision):
        created = T0 + timedelta(hours=6 * i, minutes=rng.randrange(60))
        updated = created + timedelta(days=rng.randrange(0, 20), minutes=rng.randrange(60))
        languages = ["en", *rng.sample(sorted(LANGUAGES)[1:], k=rng.randrange(3))]
        title = f"Lecture {i + 1}: {SUBJECTS[i % len(SUBJECTS)]}"
        if i >= count:
            created = updated = _revised_at((i - count) // NEW_VIDEOS_PER_REVISION + 1)
        elif revision and i % 10 == 0:
            updated, title = _revised_at(revision), f"{title} (re-edited {revision})"
            languages = [*languages, *(["zh"] if "zh" not in languages else [])]
        duration = 300 + rng.randrange(3600)
        out.append(
            {
                "key": uuid.UUID(int=rng.getrandbits(128)).hex,
                "title": title,
                "description": f"Recording of lecture {i + 1}.",
                "collection_key": collection_keys[i % len(collection_keys)],
                "status": "Complete",
                "duration_seconds": f"{duration}s" if duration_as_text else duration,
                "is_public": i % 3 != 0,
                "multiangle": i % 17 == 0,
                "created_at": _stamp(created),
                "updated_at": _stamp(updated),
                "transcripts": [
                    {
                        "language": code,
                        "language_name": LANGUAGES[code],
                        "filename": f"lecture-{i + 1}_{code}.vtt",
                        "source": "human" if code == "en" else "machine",
                        "created_at": _stamp(created + timedelta(hours=1)),
                    }
                    for code in languages
                ],
            }
        )
    return out


@dataclass
class Request:
    path: str
    query: dict[str, str]
    status: int
    rows: int = 0


@dataclass
class ODLVideoAPI:
    """State of one simulated service; ``handler()`` gives the class to serve it with."""

    token: str
    video_count: int = 130
    collection_count: int = 12
    max_page_size: int = MAX_PAGE_SIZE
    duration_as_text: bool = False
    revision: int = 0
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self) -> int:
        """Move to the next revision: some rows are edited, new ones appear."""
        with self._lock:
            self.revision += 1
            return self.revision

    def data(self, entity: str) -> list[dict]:
        cols = collections(self.collection_count, self.revision)
        if entity == "collections":
            return cols
        return videos(
            self.video_count,
            self.revision,
            collection_keys=[c["key"] for c in cols],
            duration_as_text=self.duration_as_text,
        )

    def served(self, entity: str) -> list[Request]:
        return [r for r in self.requests if r.path == f"/api/v0/{entity}/"]

    def handler(self) -> type[JSONHandler]:
        api = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                status, payload = api.answer(self.path_only, self.query, self.headers, self.origin)
                self.send_json(status, payload)

            @property
            def origin(self) -> str:
                return f"http://{self.headers.get('Host')}"

        return Handler

    def answer(self, path: str, query: dict[str, str], headers: Any, host: str) -> tuple[int, dict]:
        status, payload = self._answer(path, query, headers, host)
        rows = len(payload.get("results", [])) if status == 200 else 0
        with self._lock:
            self.requests.append(Request(path, dict(query), status, rows))
        return status, payload

    def _answer(
        self, path: str, query: dict[str, str], headers: Any, host: str
    ) -> tuple[int, dict]:
        auth = headers.get("Authorization")
        if not auth:
            return 401, {"detail": "Authentication credentials were not provided."}
        if auth != f"Token {self.token}":
            return 401, {"detail": "Invalid token."}
        if path.rstrip("/") not in ("/api/v0/videos", "/api/v0/collections"):
            return 404, {"detail": "Not found."}
        entity = path.rstrip("/").rsplit("/", 1)[-1]
        rows = self.data(entity)
        if "updated_since" in query:
            try:
                since = datetime.fromisoformat(query["updated_since"])
            except ValueError:
                return 400, {"updated_since": ["Enter a valid date/time."]}
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= since]
        rows.sort(key=lambda r: (r["updated_at"], r["key"]))
        try:
            page = int(query.get("page", "1"))
            size = min(int(query.get("page_size", self.max_page_size)), self.max_page_size)
        except ValueError:
            return 400, {"detail": "Invalid page."}
        if page < 1 or size < 1 or (page - 1) * size > len(rows):
            return 404, {"detail": "Invalid page."}

        def link(n: int) -> str:
            return f"{host}{path}?{urlencode({**query, 'page': n, 'page_size': size})}"

        return 200, {
            "count": len(rows),
            "next": link(page + 1) if page * size < len(rows) else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": rows[(page - 1) * size : page * size],
        }
