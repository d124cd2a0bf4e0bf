"""Fixtures of the MITPE course API, the OLL course sheet (CSV export) and MIT podcast RSS
feeds, served over real HTTP from one server.

* ``GET /mitpe/api/courses`` -> ``{"courses": [...]}``
* ``GET /oll/courses.csv``   -> the sheet as CSV
* ``GET /podcasts/<slug>.rss`` -> an RSS 2.0 channel with its episodes; ``/podcasts/`` lists slugs

``rows`` scales every feed (tests shrink one to exercise the 80% replace guard).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from ol_platform.simulators.http import JSONHandler

PODCASTS = {
    "chalk-radio": "Chalk Radio",
    "tilclimate": "TILclimate",
    "curiosity-unbounded": "Curiosity Unbounded",
}


def mitpe_courses(rows: int = 40) -> list[dict]:
    return [
        {
            "title": f"Professional Certificate Course {i}",
            "url": f"https://professional.mit.edu/course-{i}",
            "topics": ["Engineering", "Leadership"][: 1 + i % 2],
            "price": 2500 + 100 * i,
            "start_date": (datetime(2025, 1, 6) + timedelta(weeks=i)).date().isoformat(),
            "online": i % 3 != 0,
        }
        for i in range(1, rows + 1)
    ]


def oll_csv(rows: int = 30) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["OLL Course", "readable_id", "Department", "Year", "Published"])
    for i in range(1, rows + 1):
        writer.writerow(
            [f"Open Learning Library course {i}", f"MITx+OLL.{i:03d}x", "EECS", 2019 + i % 5, "Yes"]
        )
    return out.getvalue()


def podcast_rss(slug: str, episodes: int = 12) -> str:
    title = PODCASTS[slug]
    items = []
    for i in range(1, episodes + 1):
        published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=14 * i)
        items.append(
            f"<item><title>{escape(title)} episode {i}</title><guid>{slug}-ep-{i}</guid>"
            f"<link>https://podcasts.mit.edu/{slug}/{i}</link><pubDate>{format_datetime(published)}</pubDate>"
            f'<enclosure url="https://cdn.mit.edu/{slug}/{i}.mp3" type="audio/mpeg"'
            f' length="{1000 * i}"/>'
            f"<description>{escape(title)}, part {i}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://podcasts.mit.edu/{slug}</link>"
        f"<description>{escape(title)} from MIT Open Learning</description>"
        f"{''.join(items)}</channel></rss>"
    )


def make_handler(rows: int = 40) -> type[JSONHandler]:
    class Handler(JSONHandler):
        def _text(self, body: str, content_type: str) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path_only
            if path == "/mitpe/api/courses":
                self.send_json(200, {"courses": mitpe_courses(rows)})
            elif path == "/oll/courses.csv":
                self._text(oll_csv(rows), "text/csv")
            elif path == "/podcasts/":
                self.send_json(200, {"feeds": sorted(PODCASTS)})
            elif (
                path.startswith("/podcasts/")
                and path.removeprefix("/podcasts/").removesuffix(".rss") in PODCASTS
            ):
                self._text(
                    podcast_rss(path.removeprefix("/podcasts/").removesuffix(".rss"), rows // 3),
                    "application/rss+xml",
                )
            else:
                self.send_json(404, {"detail": "Not found."})

    return Handler
