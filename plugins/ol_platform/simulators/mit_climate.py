"""A fixture of the MIT Climate Portal articles API, served over real HTTP.

``GET /api/articles?page=N`` answers ``{"count", "next", "results": [...]}`` with 50 articles
a page, the shape the loader expects from the portal. The article set is generated
deterministically; ``revision`` bumps the ``changed`` stamp of every tenth article, as an
editor's day of work would.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from ol_platform.simulators.http import JSONHandler

PAGE_SIZE = 50
TOPICS = ["energy", "oceans", "policy", "health", "food", "cities", "carbon capture", "ice"]


def articles(count: int = 240, revision: int = 0, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        published = base + timedelta(days=i, hours=rng.randrange(24))
        changed = published + timedelta(days=rng.randrange(1, 30))
        if revision and i % 10 == 0:
            changed = base + timedelta(days=400 + revision)
        topic = rng.sample(TOPICS, k=2)
        out.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "title": f"Explainer {i}: {topic[0].title()} and a changing climate",
                "url": f"https://climate.mit.edu/explainers/explainer-{i}",
                "byline": rng.choice(["MIT Climate Portal", "MIT News", "TILclimate"]),
                "summary": f"What science says about {topic[0]} and {topic[1]}.",
                "topics": topic,
                "published": published.isoformat(),
                "changed": changed.isoformat(),
                "revision": revision,
            }
        )
    return out


def make_handler(count: int = 240, revision: int = 0) -> type[JSONHandler]:
    data = articles(count, revision)

    class Handler(JSONHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            if self.path_only.rstrip("/") != "/api/articles":
                self.send_json(404, {"detail": "Not found."})
                return
            page = int(self.query.get("page", "1"))
            chunk = data[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            more = page * PAGE_SIZE < len(data)
            host = self.headers.get("Host")
            self.send_json(
                200,
                {
                    "count": len(data),
                    "next": f"http://{host}/api/articles?page={page + 1}" if more else None,
                    "results": chunk,
                },
            )

    return Handler
