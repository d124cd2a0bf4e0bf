"""A fixture of the Canvas LMS REST API's course listing and content exports, over real HTTP.

Every request needs ``Authorization: Bearer <token>``; none answers 401
``{"status": "unauthenticated", "errors": [{"message": "user authorization required"}]}``,
a wrong one 401 ``{"errors": [{"message": "Invalid access token."}]}``, as Canvas does.

* ``GET /api/v1/accounts/<account>/courses?per_page=&page=&published=true``: a JSON list,
  paged through the ``Link`` header (``current``, ``next``, ``first``, ``last``);
  ``per_page`` is capped at ``max_per_page``.
* ``POST /api/v1/courses/<id>/content_exports`` (JSON or form ``export_type``):
  a ContentExport ``{"id", "export_type", "workflow_state": "created", "progress_url"}``;
  an export type other than ``common_cartridge``, ``qti`` or ``zip`` answers 400.
* ``GET /api/v1/courses/<id>/content_exports/<export id>``: ``created`` → ``exporting`` →
  ``exported`` (with ``attachment.url``) over ``polls_to_finish`` polls, or ``failed`` for a
  course in ``failing``; ``GET /api/v1/progress/<id>`` reports the same as a Progress.
* ``GET /files/<attachment id>/download``: the ``.imscc`` (a zip with ``imsmanifest.xml``),
  the same bytes for the same course revision; :meth:`CanvasAPI.edit` makes a new revision.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from ol_platform.simulators.http import JSONHandler

COURSES_PATH = re.compile(r"/api/v1/accounts/(?P<account>[^/]+)/courses")
START_PATH = re.compile(r"/api/v1/courses/(?P<course>\d+)/content_exports")
EXPORT_PATH = re.compile(r"/api/v1/courses/(?P<course>\d+)/content_exports/(?P<id>\d+)")
PROGRESS_PATH = re.compile(r"/api/v1/progress/(?P<id>\d+)")
FILE_PATH = re.compile(r"/files/(?P<id>\d+)/download")
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
EXPORT_TYPES = ("common_cartridge", "qti", "zip")
COURSES = [
    (14566, "Introduction to Computational Thinking", "6.C01", "MIT-6.C01-FA25"),
    (14571, "Molecular Biology Lab", "7.002", None),
    (14602, "Principles of Microeconomics", "14.01", "MIT-14.01-SP26"),
    (14610, "Draft: not yet published", "99.999", None),
]


@dataclass
class Course:
    id: int
    name: str
    course_code: str
    sis_course_id: str | None
    workflow_state: str = "available"
    revision: int = 0

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "course_code": self.course_code,
            "sis_course_id": self.sis_course_id,
            "workflow_state": self.workflow_state,
            "account_id": 1,
            "uuid": f"uuid-{self.id}",
        }


def cartridge(course: Course) -> bytes:
    """A common cartridge of the course; the same bytes for the same revision."""
    pages = {
        f"wiki_content/week-{i}.html": f"<h1>{course.name}: week {i}</h1>\n"
        for i in range(1, 3 + course.revision)
    }
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest identifier="g' + str(course.id) + '" '
        'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">\n'
        f"  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion>"
        f"<title>{course.name}</title></metadata>\n"
        "  <resources>\n"
        + "".join(f'    <resource href="{p}" type="webcontent"/>\n' for p in sorted(pages))
        + "  </resources>\n</manifest>\n"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in [("imsmanifest.xml", manifest), *sorted(pages.items())]:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return out.getvalue()


@dataclass
class Export:
    id: int
    course_id: int
    export_type: str
    archive: bytes
    polls: int = 0


@dataclass
class CanvasAPI:
    token: str
    account_id: int = 1
    polls_to_finish: int = 3
    max_per_page: int = 2
    failing: set[int] = field(default_factory=set)
    courses: dict[int, Course] = field(default_factory=dict)
    exports: dict[int, Export] = field(default_factory=dict)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not self.courses:
            for cid, name, code, sis in COURSES:
                state = "unpublished" if name.startswith("Draft") else "available"
                self.courses[cid] = Course(cid, name, code, sis, state)

    @property
    def exports_started(self) -> list[int]:
        return [e.course_id for e in self.exports.values()]

    def edit(self, course_id: int) -> None:
        with self._lock:
            self.courses[course_id].revision += 1

    def handler(self) -> type[JSONHandler]:
        api = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                self._dispatch("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._dispatch("POST")

            def _dispatch(self, method: str) -> None:
                path = self.path_only.rstrip("/")
                header = self.headers.get("Authorization")
                if not header:
                    self._send(
                        method,
                        path,
                        401,
                        {
                            "status": "unauthenticated",
                            "errors": [{"message": "user authorization required"}],
                        },
                    )
                    return
                if not api.authorized(header):
                    self._send(
                        method, path, 401, {"errors": [{"message": "Invalid access token."}]}
                    )
                    return
                base = f"http://{self.headers.get('Host')}"
                if method == "GET" and (m := COURSES_PATH.fullmatch(path)):
                    self._courses(m["account"], base)
                elif method == "POST" and (m := START_PATH.fullmatch(path)):
                    self._send(method, path, *api.start(int(m["course"]), self._form(), base))
                elif method == "GET" and (m := EXPORT_PATH.fullmatch(path)):
                    self._send(method, path, *api.poll(int(m["course"]), int(m["id"]), base))
                elif method == "GET" and (m := PROGRESS_PATH.fullmatch(path)):
                    self._send(method, path, *api.progress(int(m["id"])))
                elif method == "GET" and (m := FILE_PATH.fullmatch(path)):
                    self._file(int(m["id"]), path)
                else:
                    self._send(method, path, 404, NOT_FOUND)

            def _form(self) -> dict[str, Any]:
                raw = self.body()
                if "json" in (self.headers.get("Content-Type") or ""):
                    return json.loads(raw or b"{}")
                return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}

            def _courses(self, account: str, base: str) -> None:
                if account not in ("self", str(api.account_id)):
                    self._send(
                        "GET", self.path_only, 404, {"errors": [{"message": "account not found"}]}
                    )
                    return
                per_page = min(int(self.query.get("per_page", 10)), api.max_per_page)
                page = int(self.query.get("page", 1))
                rows = [c.json() for c in sorted(api.courses.values(), key=lambda c: c.id)]
                if self.query.get("published") == "true":
                    rows = [r for r in rows if r["workflow_state"] == "available"]
                last = max(1, -(-len(rows) // per_page))
                url = f"{base}{self.path_only}?"
                query = {k: v for k, v in self.query.items() if k != "page"}

                def link(n: int, rel: str) -> str:
                    return f'<{url}{urlencode(query | {"page": n})}>; rel="{rel}"'

                links = [link(page, "current")]
                if page < last:
                    links.append(link(page + 1, "next"))
                if page > 1:
                    links.append(link(page - 1, "prev"))
                links += [link(1, "first"), link(last, "last")]
                data = json.dumps(rows[(page - 1) * per_page : page * per_page]).encode()
                with api._lock:
                    api.requests.append(("GET", self.path_only, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Link", ",".join(links))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _file(self, attachment_id: int, path: str) -> None:
                export = api.exports.get(attachment_id)
                if export is None or api.state(export) != "exported":
                    self._send("GET", path, 404, NOT_FOUND)
                    return
                with api._lock:
                    api.requests.append(("GET", path, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(export.archive)))
                self.end_headers()
                self.wfile.write(export.archive)

            def _send(self, method: str, path: str, status: int, payload: Any) -> None:
                with api._lock:
                    api.requests.append((method, path, status))
                self.send_json(status, payload)

        return Handler

    def authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme == "Bearer" and secrets.compare_digest(token, self.token)

    def state(self, export: Export) -> str:
        if export.polls <= 0:
            return "created"
        if export.polls < self.polls_to_finish:
            return "exporting"
        return "failed" if export.course_id in self.failing else "exported"

    def _export_json(self, export: Export, base: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": export.id,
            "export_type": export.export_type,
            "workflow_state": self.state(export),
            "course_id": export.course_id,
            "progress_url": f"{base}/api/v1/progress/{export.id}",
            "created_at": "2026-01-05T09:00:00Z",
            "user_id": 1,
        }
        if body["workflow_state"] == "exported":
            body["attachment"] = {
                "id": export.id,
                "display_name": f"course-export-{export.course_id}.imscc",
                "filename": f"course-export-{export.course_id}.imscc",
                "content-type": "application/zip",
                "size": len(export.archive),
                "url": f"{base}/files/{export.id}/download?download_frd=1",
            }
        return body

    def start(self, course_id: int, form: dict[str, Any], base: str) -> tuple[int, Any]:
        if course_id not in self.courses:
            return 404, NOT_FOUND
        export_type = form.get("export_type")
        if export_type not in EXPORT_TYPES:
            return 400, {"errors": {"export_type": [{"message": "invalid export_type"}]}}
        with self._lock:
            export = Export(
                len(self.exports) + 501, course_id, export_type, cartridge(self.courses[course_id])
            )
            self.exports[export.id] = export
        return 200, self._export_json(export, base)

    def poll(self, course_id: int, export_id: int, base: str) -> tuple[int, Any]:
        export = self.exports.get(export_id)
        if export is None or export.course_id != course_id:
            return 404, NOT_FOUND
        with self._lock:
            export.polls += 1
            body = self._export_json(export, base)
        return 200, body

    def progress(self, export_id: int) -> tuple[int, Any]:
        export = self.exports.get(export_id)
        if export is None:
            return 404, NOT_FOUND
        state = {"created": "queued", "exporting": "running", "exported": "completed"}.get(
            self.state(export), "failed"
        )
        return 200, {
            "id": export.id,
            "context_type": "ContentExport",
            "workflow_state": state,
            "completion": 100 if state == "completed" else 50 if state == "running" else 0,
        }
