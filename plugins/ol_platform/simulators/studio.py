"""A fixture of Open edX Studio's course export API (mitodl ``ol_openedx_course_export``).

Every request needs ``Authorization: JWT <token>`` (``Bearer`` is accepted too, as the CMS
does); none or a wrong token answers 401 with DRF's ``{"detail": ...}``.

* ``GET /api/courses/v1/courses/?page=&page_size=``: ``{"results": [{"id", "name", ...}],
  "pagination": {"next", "previous", "count", "num_pages"}}``.
* ``POST /api/courses/v0/export/versions/`` ``{"courses": [...]}`` (≤ 200):
  ``{"versions": {id: {"published_version", "edited_on", "static_assets", "transcripts"}},
  "missing": [...]}``.
* ``POST /api/courses/v0/export/`` ``{"courses": [...]}``: ``{"upload_task_ids",
  "upload_urls", "failed_uploads"}`` (400 when any course is unknown).
* ``GET /api/courses/v0/export/<course_id>/?task_id=``: ``{"state": ...}``, going
  ``Pending`` → ``In Progress`` → ``Succeeded`` (or ``Failed`` for a course in ``failing``)
  over ``polls_to_finish`` polls, as a Celery export does over time.
* ``GET /exports/<task_id>/<course_id>.tar.gz``: the archive, once its task succeeded.

Archives are real course OLX (``course/course.xml``, the run's course file, chapters and a
policy), deterministic per course and revision: :meth:`StudioAPI.publish` makes a new
published version with new content; :meth:`StudioAPI.edit_draft` only moves ``edited_on``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import secrets
import tarfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from ol_platform.simulators.http import JSONHandler

EXPORT = "/api/courses/v0/export/"
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
SUBJECTS = {
    "mitxonline": [
        ("MITxT", "18.01x", "Calculus"),
        ("MITxT", "14.310x", "Data Analysis"),
        ("MITxT", "6.86x", "Machine Learning"),
        ("MITxT", "JPAL102x", "Evaluations"),
    ],
    "xpro": [
        ("xPRO", "PCDEx", "Data Engineering"),
        ("xPRO", "LASERx", "Laser Physics"),
        ("xPRO", "QCx", "Quantum Computing"),
    ],
    "mitx": [
        ("MITx", "8.01r", "Classical Mechanics"),
        ("MITx", "7.00x", "Biology"),
        ("MITx", "3.091r", "Solid-State Chemistry"),
    ],
}


def _block_name(course_id: str, category: str, k: int) -> str:
    return hashlib.md5(f"{course_id}:{category}:{k}".encode()).hexdigest()


@dataclass
class Course:
    course_id: str
    name: str
    revision: int = 0
    edited: int = 0
    assets: int = 3
    # Block ids (url_names) of the course's videos and problems; the demo passes those of
    # the sample tracking logs, so the course structure and the events share their blocks.
    videos: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.videos:
            self.videos = tuple(_block_name(self.course_id, "video", k) for k in range(3))
        if not self.problems:
            self.problems = tuple(_block_name(self.course_id, "problem", k) for k in range(2))

    @property
    def org_number_run(self) -> tuple[str, str, str]:
        org, number, run = self.course_id.removeprefix("course-v1:").split("+")
        return org, number, run

    @property
    def published_version(self) -> str:
        # A MongoDB ObjectId, as the split modulestore reports it.
        return hashlib.sha1(f"{self.course_id}@{self.revision}".encode()).hexdigest()[:24]

    def versions(self) -> dict[str, Any]:
        stamp = T0 + timedelta(days=self.revision, hours=self.edited)
        return {
            "published_version": self.published_version,
            "edited_on": stamp.isoformat(),
            "static_assets": {
                "count": self.assets,
                "latest_upload": (T0 + timedelta(days=self.assets)).isoformat(),
                "latest_asset": (
                    f"asset-v1:{self.course_id[10:]}+type@asset+block@file{self.assets}.pdf"
                ),
            },
            "transcripts": {"count": 2, "latest_modified": T0.isoformat()},
        }


def _units(course: Course, chapters: list[str]) -> dict[str, str]:
    """Per chapter, one graded subsection holding one unit with its share of the course's
    videos and problems (round robin, so a revision that adds a chapter moves some)."""
    files = {}
    for i, chapter in enumerate(chapters):
        week = i + 1
        videos = course.videos[i :: len(chapters)]
        problems = course.problems[i :: len(chapters)]
        files[f"course/sequential/seq_{week}.xml"] = (
            f'<sequential display_name="Lecture sequence {week}" format="Homework" '
            f'graded="true" start="2026-02-{week:02d}T00:00:00Z" '
            f'due="2026-03-{week:02d}T23:59:00Z">\n  <vertical url_name="unit_{week}"/>\n'
            "</sequential>\n"
        )
        body = "".join(
            f'  <video url_name="{v}" display_name="Lecture {week}, part {k + 1}" '
            f'edx_video_id="{uuid.uuid5(uuid.NAMESPACE_URL, v)}" '
            f"html5_sources='[\"https://video.example.org/{v}.mp4\"]' "
            f'transcripts=\'{{"en": "{v}-en.srt"}}\'/>\n'
            for k, v in enumerate(videos)
        ) + "".join(
            f'  <problem url_name="{p}" display_name="Check {week}.{k + 1}" weight="1">'
            "<multiplechoiceresponse/></problem>\n"
            for k, p in enumerate(problems)
        )
        files[f"course/vertical/unit_{week}.xml"] = (
            f'<vertical display_name="Unit {week}">\n{body}</vertical>\n'
        )
        files[f"course/chapter/{chapter}.xml"] = (
            f'<chapter display_name="Week {week} of {course.name} (rev {course.revision})">\n'
            f'  <sequential url_name="seq_{week}"/>\n</chapter>\n'
        )
    return files


def course_archive(course: Course) -> bytes:
    """The course's OLX as a .tar.gz; the same bytes for the same revision and assets."""
    org, number, run = course.org_number_run
    chapters = [f"chapter_{i}" for i in range(1, 3 + course.revision % 3)]
    files = {
        "course/course.xml": f'<course url_name="{run}" org="{org}" course="{number}"/>\n',
        f"course/course/{run}.xml": (
            f'<course display_name="{course.name}" start="2026-02-01T00:00:00Z">\n'
            + "".join(f'  <chapter url_name="{c}"/>\n' for c in chapters)
            + "</course>\n"
        ),
        f"course/policies/{run}/policy.json": json.dumps(
            {f"course/{run}": {"display_name": course.name, "revision": course.revision}}
        ),
        **_units(course, chapters),
        **{f"course/static/file{i}.pdf": f"%PDF asset {i}\n" for i in range(1, course.assets + 1)},
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1_767_225_600, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


@dataclass
class Task:
    task_id: str
    course_id: str
    archive: bytes  # the course as it was when the export started
    polls: int = 0


@dataclass
class StudioAPI:
    """One simulated Studio; ``handler()`` gives the class to serve."""

    token: str
    deployment: str = "mitxonline"
    polls_to_finish: int = 3
    page_size: int = 2
    failing: set[str] = field(default_factory=set)
    courses: dict[str, Course] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    exports_started: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not self.courses:
            for org, number, name in SUBJECTS[self.deployment]:
                course_id = f"course-v1:{org}+{number}+1T2026"
                self.courses[course_id] = Course(course_id, name)

    def publish(self, course_id: str) -> None:
        """A new published version with new content."""
        with self._lock:
            self.courses[course_id].revision += 1

    def edit_draft(self, course_id: str) -> None:
        """A draft edit: ``edited_on`` moves, the published version does not."""
        with self._lock:
            self.courses[course_id].edited += 1

    def upload_asset(self, course_id: str) -> None:
        """A file uploaded to the course: in the export, but not a new published version."""
        with self._lock:
            self.courses[course_id].assets += 1

    def archive(self, course_id: str) -> bytes:
        return course_archive(self.courses[course_id])

    def handler(self) -> type[JSONHandler]:
        api = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                self._dispatch("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._dispatch("POST")

            def _dispatch(self, method: str) -> None:
                path = unquote(self.path_only)
                if not api.authorized(self.headers.get("Authorization")):
                    given = bool(self.headers.get("Authorization"))
                    detail = (
                        "Invalid token."
                        if given
                        else "Authentication credentials were not provided."
                    )
                    self._send(method, path, 401, {"detail": detail})
                    return
                body = self.body()
                if method == "GET" and path == "/api/courses/v1/courses/":
                    self._send(method, path, 200, api.course_page(self.query, self._base()))
                elif method == "POST" and path == f"{EXPORT}versions/":
                    self._send(method, path, *api.versions(json.loads(body or b"{}")))
                elif method == "POST" and path == EXPORT:
                    self._send(method, path, *api.start(json.loads(body or b"{}"), self._base()))
                elif method == "GET" and path.startswith(EXPORT) and path.endswith("/"):
                    course_id = path.removeprefix(EXPORT).rstrip("/")
                    self._send(method, path, *api.status(course_id, self.query.get("task_id")))
                elif method == "GET" and path.startswith("/exports/"):
                    self._archive(path)
                else:
                    self._send(method, path, 404, {"detail": "Not found."})

            def _base(self) -> str:
                return f"http://{self.headers.get('Host')}"

            def _archive(self, path: str) -> None:
                task_id = path.split("/")[2]
                task = api.tasks.get(task_id)
                if task is None or api.state(task) != "Succeeded":
                    self._send("GET", path, 404, {"detail": "Not found."})
                    return
                data = task.archive
                with api._lock:
                    api.requests.append(("GET", path, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _send(self, method: str, path: str, status: int, payload: Any) -> None:
                with api._lock:
                    api.requests.append((method, path, status))
                self.send_json(status, payload)

        return Handler

    def authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme in ("JWT", "Bearer") and secrets.compare_digest(token, self.token)

    def course_page(self, query: dict[str, str], base: str) -> dict[str, Any]:
        size = min(int(query.get("page_size", self.page_size)), self.page_size)
        page = int(query.get("page", "1"))
        ids = sorted(self.courses)
        pages = max(1, -(-len(ids) // size))
        results = [
            {"id": c, "course_id": c, "name": self.courses[c].name, "org": c[10:].split("+")[0]}
            for c in ids[(page - 1) * size : page * size]
        ]
        url = f"{base}/api/courses/v1/courses/?"
        return {
            "results": results,
            "pagination": {
                "next": url + urlencode({"page": page + 1, "page_size": size})
                if page < pages
                else None,
                "previous": url + urlencode({"page": page - 1, "page_size": size})
                if page > 1
                else None,
                "count": len(ids),
                "num_pages": pages,
            },
        }

    def versions(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        ids = body.get("courses") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or len(ids) > 200:
            return 400, {"developer_message": "Provide 1 to 200 course ids as courses"}
        found = {c: self.courses[c].versions() for c in ids if c in self.courses}
        return 200, {"versions": found, "missing": [c for c in ids if c not in found]}

    def start(self, body: dict[str, Any], base: str) -> tuple[int, dict[str, Any]]:
        ids = body.get("courses") if isinstance(body, dict) else None
        if not ids:
            return 400, {"developer_message": "No course Id was provided"}
        tasks, urls, failed = {}, {}, {}
        with self._lock:
            for course_id in ids:
                if course_id not in self.courses:
                    failed[course_id] = f"Course {course_id} does not exist"
                    continue
                task = Task(str(uuid.uuid4()), course_id, self.archive(course_id))
                self.tasks[task.task_id] = task
                self.exports_started.append(course_id)
                tasks[course_id] = task.task_id
                urls[course_id] = f"{base}/exports/{task.task_id}/{course_id}.tar.gz"
        body = {"upload_urls": urls, "upload_task_ids": tasks, "failed_uploads": failed}
        return (400 if failed else 200), body

    def state(self, task: Task) -> str:
        if task.polls <= 0:
            return "Pending"
        if task.polls < self.polls_to_finish:
            return "In Progress"
        return "Failed" if task.course_id in self.failing else "Succeeded"

    def status(self, course_id: str, task_id: str | None) -> tuple[int, dict[str, Any]]:
        task = self.tasks.get(task_id or "")
        if course_id not in self.courses:
            return 404, {"detail": f"Course {course_id} not found"}
        if task is None or task.course_id != course_id:
            return 404, {"detail": "Task not found"}
        with self._lock:
            state = self.state(task)
            task.polls += 1
        return 200, {"state": state}
