"""Canvas course exports: a common cartridge per course, every 6 hours.

Canvas's REST API with the token of the Airflow connection ``canvas_api`` (http: host =
Canvas base URL, password = an access token, sent as ``Authorization: Bearer <token>``;
extra ``account_id`` (``self``), ``poll_interval_seconds`` (20), ``poll_timeout_minutes``
(60), ``concurrency`` (5)):

1. ``GET /api/v1/accounts/<account>/courses?published=true&per_page=100``, following the
   ``Link: <...>; rel="next"`` header;
2. ``POST /api/v1/courses/<id>/content_exports`` with ``export_type=common_cartridge``;
3. ``GET /api/v1/courses/<id>/content_exports/<export id>`` polled until ``exported``
   (or ``failed``), which carries the ``attachment`` URL of the ``.imscc``;
4. the cartridge lands at ``canvas/course_content/<course_id>/<sha256>.imscc`` with
   ``<sha256>_metadata.json`` (course id, name, code, SIS id, export) beside it.

Canvas courses have no published-version marker, so every course is exported each run and
the archive's sha256 is the version: an archive with the bytes of the course's last one is
not landed or announced again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ol_platform.exports.api import (
    ApiClient,
    ExportError,
    Outcome,
    PollPolicy,
    bearer_token,
    poll_until_done,
)
from ol_platform.exports.landing import LandingArea, spooled_download
from ol_platform.exports.ledger import ExportLedger
from ol_platform.ingest.connections import ConnectionLike, connection_extra
from ol_platform.ingest.landing_bucket import BucketLocation

log = logging.getLogger(__name__)

SYSTEM = "Canvas"
CONN_ID = "canvas_api"
PREFIX = "canvas/course_content"
PER_PAGE = 100


def content_path(course_id: int, sha256: str) -> str:
    return f"{PREFIX}/{course_id}/{sha256}.imscc"


def metadata_path(course_id: int, sha256: str) -> str:
    return f"{PREFIX}/{course_id}/{sha256}_metadata.json"


class CanvasClient:
    def __init__(self, conn: ConnectionLike) -> None:
        self.api = ApiClient(conn, SYSTEM, "Bearer", bearer_token(conn, SYSTEM))
        self.account = str(connection_extra(conn).get("account_id", "self"))

    def close(self) -> None:
        self.api.close()

    def courses(self) -> list[dict[str, Any]]:
        courses: list[dict[str, Any]] = []
        url: str | None = f"/api/v1/accounts/{self.account}/courses"
        params: dict[str, Any] | None = {"published": "true", "per_page": PER_PAGE}
        while url:
            response = self.api.request("GET", url, params=params)
            courses += response.json()
            url, params = response.links.get("next", {}).get("url"), None  # next keeps the query
        return courses

    def start_export(self, course_id: int) -> dict[str, Any]:
        return self.api.json(
            "POST",
            f"/api/v1/courses/{course_id}/content_exports",
            json={"export_type": "common_cartridge"},
        )

    def export(self, course_id: int, export_id: int) -> dict[str, Any]:
        return self.api.json("GET", f"/api/v1/courses/{course_id}/content_exports/{export_id}")


@dataclass
class CanvasRun:
    courses: int = 0
    failures: dict[int, str] = field(default_factory=dict)
    archives: list[dict[str, Any]] = field(default_factory=list)


def export_canvas(
    *, canvas: ConnectionLike, bucket: BucketLocation, policy: PollPolicy | None = None
) -> CanvasRun:
    """Export every published course; raises ExportError if any export failed."""
    policy = policy or PollPolicy.from_connection(canvas)
    landing = LandingArea(bucket)
    ledger = ExportLedger.load(landing, PREFIX)
    client = CanvasClient(canvas)
    run = CanvasRun()
    try:
        courses = {c["id"]: c for c in client.courses()}
        run.courses = len(courses)
        log.info("Canvas: %d published course(s) to export", len(courses))
        ids = list(courses)
        for i in range(0, len(ids), policy.concurrency):
            _export_wave(
                client,
                [courses[c] for c in ids[i : i + policy.concurrency]],
                ledger,
                landing,
                policy,
                run,
            )
    finally:
        client.close()
    if run.failures:
        details = "; ".join(
            f"{c} ({courses[c].get('course_code')}): {why}" for c, why in run.failures.items()
        )
        raise ExportError(
            f"Canvas: {len(run.failures)} of {len(courses)} course export(s) failed: {details}. "
            "The others landed and are recorded."
        )
    run.archives = ledger.announced()
    return run


def _export_wave(
    client: CanvasClient,
    wave: list[dict[str, Any]],
    ledger: ExportLedger,
    landing: LandingArea,
    policy: PollPolicy,
    run: CanvasRun,
) -> None:
    exports = {c["id"]: client.start_export(c["id"])["id"] for c in wave}
    courses = {c["id"]: c for c in wave}

    def check(course_id: int) -> Outcome:
        export = client.export(course_id, exports[course_id])
        state = export.get("workflow_state")
        if state == "exported":
            return Outcome("done", export)
        if state == "failed":
            return Outcome("failed", f"content export {exports[course_id]} failed in Canvas")
        return Outcome("running", state)

    for course_id, outcome in poll_until_done(list(exports), check, policy, SYSTEM):
        if outcome.status == "failed":
            run.failures[course_id] = outcome.detail
            continue
        try:
            _land(client, landing, ledger, courses[course_id], outcome.detail)
        except ExportError as exc:
            run.failures[course_id] = str(exc)


def _land(
    client: CanvasClient,
    landing: LandingArea,
    ledger: ExportLedger,
    course: dict[str, Any],
    export: dict[str, Any],
) -> None:
    course_id = int(course["id"])
    url = (export.get("attachment") or {}).get("url")
    if not url:
        raise ExportError(f"content export {export.get('id')} is exported but has no attachment")
    began = time.monotonic()
    with spooled_download(client.api.stream_bytes(url), ".imscc") as download:
        if download.sha256 == ledger.version(course_id):
            log.info("Canvas: course %s unchanged since its last export", course_id)
            ledger.record(str(course_id), download.sha256, None)
            return
        with download.path.open("rb") as f:
            is_zip = f.read(4) == b"PK\x03\x04"
        if not is_zip:
            raise ExportError(f"content export {export.get('id')} is not a zip (.imscc)")
        archive = {
            "source": "canvas",
            "course_id": course_id,
            "course_name": course.get("name"),
            "course_code": course.get("course_code"),
            "course_readable_id": course.get("sis_course_id"),
            "content_path": content_path(course_id, download.sha256),
            "metadata_path": metadata_path(course_id, download.sha256),
            "sha256": download.sha256,
        }
        metadata = {
            k: archive[k] for k in ("course_id", "course_name", "course_code", "sha256")
        } | {
            "course_readable_id": archive["course_readable_id"],
            "export_id": export.get("id"),
            "export_type": export.get("export_type", "common_cartridge"),
            "exported_at": datetime.now(UTC).isoformat(),
            "size": download.size,
        }
        # The metadata first: whoever sees the archive can rely on its metadata being there.
        landing.write_json(archive["metadata_path"], metadata)
        landing.put_file(download.path, archive["content_path"])
    log.info(
        "Canvas: landed %s (%d bytes, %.1f s)",
        landing.uri(archive["content_path"]),
        download.size,
        time.monotonic() - began,
    )
    ledger.record(str(course_id), download.sha256, archive)
