"""Open edX course exports, one deployment (mitxonline, xpro, mitx) at a time.

Studio's export API (mitodl ``ol_openedx_course_export`` on the CMS), with the token of the
Airflow connection ``openedx_studio_<deployment>`` (http: host = Studio base URL, password =
an OAuth2 access token of a staff service user, sent as ``Authorization: JWT <token>``;
extra ``poll_interval_seconds`` (20), ``poll_timeout_minutes`` (60), ``concurrency`` (5)):

1. ``GET /api/courses/v1/courses/`` (paged) lists the course runs;
2. ``POST /api/courses/v0/export/versions/`` reports, per course, its published version and
   the state of its uploaded files and video transcripts. An export carries all three but
   the published version moves only on publish, so all three make the course's version:
   a course is exported when it differs from the version recorded at its last export
   (draft edits, which move ``edited_on`` only, are not exported);
3. ``POST /api/courses/v0/export/`` starts the exports (``upload_task_ids``, ``upload_urls``);
4. ``GET /api/courses/v0/export/<course_id>/?task_id=`` is polled until ``Succeeded`` or
   ``Failed`` (every ~20 s, at most 60 min per course);
5. the archive at its upload URL is downloaded, checked to be a course export, and lands at
   ``<deployment>/openedx/raw_data/course_xml/<course_id>/<sha256>.xml.tar.gz``.

A course whose export fails does not stop the others; the run then fails naming every failed
course, and its retry exports only those (the landed ones are in the ledger).
"""

from __future__ import annotations

import logging
import tarfile
import time
from dataclasses import dataclass, field
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
from ol_platform.ingest.connections import ConnectionLike
from ol_platform.ingest.landing_bucket import BucketLocation

log = logging.getLogger(__name__)

DEPLOYMENTS = ("mitxonline", "xpro", "mitx")
PAGE_SIZE = 100
VERSIONS_BATCH = 200  # the versions endpoint's limit per request
SUCCEEDED = "Succeeded"
FAILED = {"Failed", "Canceled"}
VERSION_FIELDS = ("published_version", "static_assets", "transcripts")


def conn_id(deployment: str) -> str:
    return f"openedx_studio_{deployment}"


def prefix(deployment: str) -> str:
    return f"{deployment}/openedx/raw_data/course_xml"


def content_path(deployment: str, course_id: str, sha256: str) -> str:
    return f"{prefix(deployment)}/{course_id}/{sha256}.xml.tar.gz"


def readable_id(course_id: str) -> str:
    """The course without its run: ``course-v1:MITxT+18.01x+1T2026`` → ``…+18.01x``."""
    if course_id.startswith("course-v1:") and course_id.count("+") >= 2:
        return course_id.rsplit("+", 1)[0]
    if course_id.count("/") == 2:  # old-style org/number/run
        return course_id.rsplit("/", 1)[0]
    return course_id


def check_course_archive(path: Any, course_id: str) -> None:
    """Refuse a download that is not a course export (an error page, a truncated file)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            names = tar.getnames()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExportError(f"{course_id}: the downloaded export is not a .tar.gz ({exc})") from exc
    if not any(n.count("/") <= 1 and n.endswith("course.xml") for n in names):
        raise ExportError(f"{course_id}: the downloaded export has no course.xml ({names[:5]})")


class StudioClient:
    def __init__(self, conn: ConnectionLike, deployment: str) -> None:
        system = f"Open edX Studio ({deployment})"
        self.api = ApiClient(conn, system, "JWT", bearer_token(conn, system))

    def close(self) -> None:
        self.api.close()

    def course_ids(self) -> list[str]:
        ids: list[str] = []
        url: str | None = f"/api/courses/v1/courses/?page_size={PAGE_SIZE}"
        while url:
            page = self.api.json("GET", url)
            ids += [c["id"] for c in page["results"]]
            url = (page.get("pagination") or {}).get("next")
        return ids

    def content_versions(self, course_ids: list[str]) -> dict[str, dict[str, Any]]:
        versions: dict[str, dict[str, Any]] = {}
        for i in range(0, len(course_ids), VERSIONS_BATCH):
            batch = course_ids[i : i + VERSIONS_BATCH]
            body = self.api.json(
                "POST", "/api/courses/v0/export/versions/", json={"courses": batch}
            )
            versions |= body["versions"]
        return versions

    def start_exports(self, course_ids: list[str]) -> tuple[dict[str, tuple[str, str]], dict]:
        """Started ``{course: (task id, upload URL)}`` and refused ``{course: reason}``."""
        response = self.api.request(
            "POST", "/api/courses/v0/export/", accept=(400,), json={"courses": course_ids}
        )
        body = response.json()
        if response.status_code == 400 and "failed_uploads" not in body:
            self.api.check(response)  # a refusal of the whole request
        tasks, urls = body.get("upload_task_ids", {}), body.get("upload_urls", {})
        started = {c: (tasks[c], urls[c]) for c in course_ids if c in tasks and c in urls}
        refused = dict(body.get("failed_uploads") or {})
        for course in course_ids:
            if course not in started and course not in refused:
                refused[course] = "Studio returned no export task for it"
        return started, refused

    def state(self, course_id: str, task_id: str) -> str:
        body = self.api.json(
            "GET", f"/api/courses/v0/export/{course_id}/", params={"task_id": task_id}
        )
        return str(body.get("state"))


@dataclass
class ExportRun:
    deployment: str
    courses: int = 0
    changed: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    archives: list[dict[str, Any]] = field(default_factory=list)


def export_deployment(
    deployment: str,
    *,
    studio: ConnectionLike,
    bucket: BucketLocation,
    policy: PollPolicy | None = None,
) -> ExportRun:
    """Export the deployment's changed courses; raises ExportError if any export failed."""
    policy = policy or PollPolicy.from_connection(studio)
    landing = LandingArea(bucket)
    ledger = ExportLedger.load(landing, prefix(deployment))
    client = StudioClient(studio, deployment)
    run = ExportRun(deployment)
    try:
        ids = client.course_ids()
        versions = client.content_versions(ids)
        run.courses = len(ids)
        current = {c: {k: versions[c].get(k) for k in VERSION_FIELDS} for c in ids if c in versions}
        run.changed = [c for c, v in current.items() if ledger.version(c) != v]
        log.info(
            "%s: %d course(s) in Studio, %d changed since their last export",
            deployment,
            len(ids),
            len(run.changed),
        )
        for i in range(0, len(run.changed), policy.concurrency):
            wave = run.changed[i : i + policy.concurrency]
            _export_wave(client, wave, current, ledger, landing, policy, run)
    finally:
        client.close()
    if run.failures:
        details = "; ".join(f"{c}: {why}" for c, why in run.failures.items())
        raise ExportError(
            f"Open edX Studio ({deployment}): {len(run.failures)} of {len(run.changed)} course "
            f"export(s) failed: {details}. The others landed and are recorded; a retry exports "
            f"only the failed course(s)."
        )
    run.archives = ledger.announced()
    return run


def _export_wave(
    client: StudioClient,
    wave: list[str],
    versions: dict[str, dict[str, Any]],
    ledger: ExportLedger,
    landing: LandingArea,
    policy: PollPolicy,
    run: ExportRun,
) -> None:
    started, refused = client.start_exports(wave)
    run.failures |= {c: f"Studio refused to start the export: {why}" for c, why in refused.items()}

    def check(course_id: str) -> Outcome:
        task_id, url = started[course_id]
        state = client.state(course_id, task_id)
        if state == SUCCEEDED:
            return Outcome("done", url)
        if state in FAILED:
            return Outcome("failed", f"Studio export task {task_id} ended {state}")
        return Outcome("running", state)

    system = f"Open edX Studio ({run.deployment})"
    for course_id, outcome in poll_until_done(list(started), check, policy, system):
        if outcome.status == "failed":
            run.failures[course_id] = outcome.detail
            continue
        try:
            archive = _land(client, landing, run.deployment, course_id, outcome.detail)
        except ExportError as exc:
            run.failures[course_id] = str(exc)
            continue
        # Announced unless it is the archive the ledger already points at (an export of
        # unchanged bytes); one landed just before a crash is still announced.
        known = ledger.archive(course_id) == archive["content_path"]
        ledger.record(course_id, versions[course_id], None if known else archive)


def _land(
    client: StudioClient, landing: LandingArea, deployment: str, course_id: str, url: str
) -> dict[str, Any]:
    """Download one export and land it, unless these exact bytes already landed."""
    began = time.monotonic()
    with spooled_download(client.api.stream_bytes(url), ".tar.gz") as download:
        check_course_archive(download.path, course_id)
        key = content_path(deployment, course_id, download.sha256)
        if landing.exists(key):
            log.info("%s: %s: %s had already landed", deployment, course_id, key)
        else:
            landing.put_file(download.path, key)
            log.info(
                "%s: landed %s (%d bytes, %.1f s)",
                deployment,
                landing.uri(key),
                download.size,
                time.monotonic() - began,
            )
    return {
        "source": deployment,
        "course_id": course_id,
        "course_readable_id": readable_id(course_id),
        "content_path": key,
        "sha256": download.sha256,
    }
