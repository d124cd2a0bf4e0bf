"""Course exports over real HTTP: the export tasks against the Studio and Canvas simulators,
landing in a landing bucket on S3 (moto server) or a local directory, announcing exactly what
landed in their Asset event."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from ol_platform.exports.api import ExportError
from ol_platform.exports.assets import export_asset
from ol_platform.exports.landing import LandingArea
from ol_platform.ingest.landing_bucket import landing_bucket
from ol_platform.orchestration.export_dags import (
    export_canvas_courses,
    export_openedx_courses,
    land_openedx_course_blocks,
)
from ol_platform.simulators import canvas as canvas_sim
from ol_platform.simulators import studio as studio_sim
from ol_platform.simulators.http import BackgroundServer

DEPLOYMENT = "mitxonline"
TOKEN = "studio-token-0123456789"
CANVAS_TOKEN = "canvas-token-0123456789"
FAST = {"poll_interval_seconds": 0.05, "poll_timeout_minutes": 1, "concurrency": 2}
PREFIX = f"{DEPLOYMENT}/openedx/raw_data/course_xml"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def set_conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


@pytest.fixture(params=["s3", "local"])
def landing(request, monkeypatch, tmp_path: Path) -> LandingArea:
    if request.param == "s3":
        import s3fs

        endpoint = request.getfixturevalue("moto_s3")
        s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=endpoint).mkdir(
            "ol-landing"
        )
        fields = {
            "conn_type": "aws",
            "login": "testing",
            "password": "testing",
            "extra": {"bucket": "ol-landing", "endpoint_url": endpoint},
        }
    else:
        fields = {"conn_type": "fs", "extra": {"path": str(tmp_path / "landing")}}
    set_conn(monkeypatch, "landing_bucket", **fields)
    from airflow.sdk import Connection

    return LandingArea(landing_bucket(Connection(conn_id="landing_bucket", **_conn(fields))))


def _conn(fields: dict) -> dict:
    return {k: json.dumps(v) if k == "extra" else v for k, v in fields.items()}


@pytest.fixture
def local_landing(monkeypatch, tmp_path: Path) -> LandingArea:
    fields = {"conn_type": "fs", "extra": {"path": str(tmp_path / "landing")}}
    set_conn(monkeypatch, "landing_bucket", **fields)
    from airflow.sdk import Connection

    return LandingArea(landing_bucket(Connection(conn_id="landing_bucket", **_conn(fields))))


@pytest.fixture
def studio(monkeypatch):
    api = studio_sim.StudioAPI(token=TOKEN, deployment=DEPLOYMENT, polls_to_finish=3)
    with BackgroundServer(api.handler()) as server:
        api.url = server.url
        set_conn(
            monkeypatch,
            f"openedx_studio_{DEPLOYMENT}",
            conn_type="http",
            host=server.url,
            password=TOKEN,
            extra=FAST,
        )
        yield api


@pytest.fixture
def canvas(monkeypatch):
    api = canvas_sim.CanvasAPI(token=CANVAS_TOKEN, polls_to_finish=3, max_per_page=2)
    with BackgroundServer(api.handler()) as server:
        api.url = server.url
        set_conn(
            monkeypatch,
            "canvas_api",
            conn_type="http",
            host=server.url,
            password=CANVAS_TOKEN,
            extra=FAST | {"account_id": 1},
        )
        yield api


def events() -> defaultdict:
    return defaultdict(lambda: SimpleNamespace(extra=None))


def run_openedx() -> list[dict]:
    outlet_events = events()
    export_openedx_courses.function(DEPLOYMENT, outlet_events=outlet_events)
    return outlet_events[export_asset(DEPLOYMENT)].extra["archives"]


def run_canvas() -> list[dict]:
    outlet_events = events()
    export_canvas_courses.function(outlet_events=outlet_events)
    return outlet_events[export_asset("canvas")].extra["archives"]


def landed_sha(landing: LandingArea, key: str) -> str:
    with landing.open(key) as f:
        return hashlib.sha256(f.read()).hexdigest()


def objects(landing: LandingArea, prefix: str) -> set[str]:
    landing.fs.invalidate_cache()
    root = landing.path(prefix)
    return {p.removeprefix(f"{landing.root}/") for p in landing.fs.find(root)}


def test_first_run_lands_every_course_and_a_rerun_exports_nothing(studio, landing):
    archives = run_openedx()

    courses = sorted(studio.courses)
    assert sorted(a["course_id"] for a in archives) == courses
    assert sorted(studio.exports_started) == courses
    for item in archives:
        course = item["course_id"]
        expected = hashlib.sha256(studio.archive(course)).hexdigest()
        assert item == {
            "source": DEPLOYMENT,
            "course_id": course,
            "course_readable_id": course.rsplit("+", 1)[0],
            "content_path": f"{PREFIX}/{course}/{expected}.xml.tar.gz",
            "sha256": expected,
        }
        assert landed_sha(landing, item["content_path"]) == expected
    assert archives[0]["course_readable_id"].startswith("course-v1:MITxT+")
    # Exactly the archives (and the ledger) landed; every export was polled to the end.
    assert objects(landing, PREFIX) == {a["content_path"] for a in archives} | {
        f"{PREFIX}/_export_state.json"
    }
    polls = [r for r in studio.requests if r[1].endswith("+1T2026/")]
    assert len(polls) == len(courses) * (studio.polls_to_finish + 1)

    started = len(studio.exports_started)
    assert run_openedx() == []
    assert len(studio.exports_started) == started, "an unchanged course is not exported again"


def test_only_a_course_whose_content_changed_is_exported_again(studio, local_landing):
    first = {a["course_id"]: a for a in run_openedx()}
    draft, published, uploaded = sorted(studio.courses)[:3]

    studio.edit_draft(draft)  # edited_on moves, the published version does not
    assert run_openedx() == []
    assert len(studio.exports_started) == len(first), "a draft edit is not exported"

    studio.publish(published)
    studio.upload_asset(uploaded)  # in the export, though the published version stays
    again = {a["course_id"]: a for a in run_openedx()}
    assert set(again) == {published, uploaded}
    assert studio.exports_started[len(first) :] == sorted([published, uploaded])
    for course, item in again.items():
        assert item["sha256"] != first[course]["sha256"]
        assert item["sha256"] == hashlib.sha256(studio.archive(course)).hexdigest()
        assert local_landing.exists(first[course]["content_path"]), "old archives stay"
        assert landed_sha(local_landing, item["content_path"]) == item["sha256"]


def test_a_failed_studio_export_fails_the_task_naming_course_and_deployment(studio, local_landing):
    broken = sorted(studio.courses)[1]
    studio.failing = {broken}
    with pytest.raises(
        ExportError,
        match=rf"Open edX Studio \(mitxonline\): 1 of 4 .*{re.escape(broken)}: .*ended Failed",
    ):
        run_openedx()
    landed = objects(local_landing, PREFIX)
    assert not any(broken in p for p in landed), "nothing landed for the failed course"
    assert len([p for p in landed if p.endswith(".xml.tar.gz")]) == len(studio.courses) - 1

    studio.failing = set()
    started = len(studio.exports_started)
    archives = run_openedx()
    assert studio.exports_started[started:] == [broken], "the retry exports only the failed one"
    # The archives the failed try landed were never announced: this event carries them.
    assert sorted(a["course_id"] for a in archives) == sorted(studio.courses)
    assert run_openedx() == []


def test_an_export_still_running_at_the_time_limit_fails(studio, local_landing, monkeypatch):
    studio.polls_to_finish = 10_000
    set_conn(
        monkeypatch,
        f"openedx_studio_{DEPLOYMENT}",
        conn_type="http",
        host=studio.url,
        password=TOKEN,
        extra=FAST | {"poll_timeout_minutes": 0.005},
    )
    with pytest.raises(ExportError, match=r"still In Progress after 0.005 min"):
        run_openedx()


def test_a_wrong_studio_token_fails_at_once_with_401(studio, local_landing, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    set_conn(
        monkeypatch,
        f"openedx_studio_{DEPLOYMENT}",
        conn_type="http",
        host=studio.url,
        password="wrong-token-000",
        extra=FAST,
    )
    with pytest.raises(AirflowFailException) as failure:
        run_openedx()
    message = str(failure.value)
    assert "HTTP 401" in message and "Invalid token." in message
    assert "'openedx_studio_mitxonline'" in message and "wrong-token-000" not in message
    assert studio.exports_started == []
    # Without any token the simulator refuses too, as Studio does.
    assert httpx.get(f"{studio.url}/api/courses/v1/courses/").status_code == 401


def test_canvas_exports_land_the_cartridge_and_its_metadata(canvas, landing):
    archives = run_canvas()

    published = sorted(c.id for c in canvas.courses.values() if c.workflow_state == "available")
    assert sorted(a["course_id"] for a in archives) == published
    pages = [r for r in canvas.requests if r[1] == "/api/v1/accounts/1/courses"]
    assert len(pages) == 2, "three published courses, two per page: the Link header is followed"
    for item in archives:
        course = canvas.courses[item["course_id"]]
        sha = hashlib.sha256(canvas_sim.cartridge(course)).hexdigest()
        base = f"canvas/course_content/{course.id}/{sha}"
        assert item == {
            "source": "canvas",
            "course_id": course.id,
            "course_name": course.name,
            "course_code": course.course_code,
            "course_readable_id": course.sis_course_id,
            "content_path": f"{base}.imscc",
            "metadata_path": f"{base}_metadata.json",
            "sha256": sha,
        }
        assert landed_sha(landing, item["content_path"]) == sha
        with landing.open(item["metadata_path"]) as f:
            metadata = json.load(f)
        assert (metadata["course_id"], metadata["course_name"], metadata["course_code"]) == (
            course.id,
            course.name,
            course.course_code,
        )
        assert metadata["sha256"] == sha
    assert objects(landing, "canvas/course_content") == {
        p for a in archives for p in (a["content_path"], a["metadata_path"])
    } | {"canvas/course_content/_export_state.json"}

    # Canvas has no published version: each run exports, but lands only changed cartridges.
    assert run_canvas() == []
    canvas.edit(published[0])
    assert [a["course_id"] for a in run_canvas()] == [published[0]]


def test_canvas_failed_export_and_wrong_token(canvas, local_landing, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    canvas.failing = {14571}
    with pytest.raises(ExportError, match=r"Canvas: 1 of 3 .*14571 \(7.002\).*failed in Canvas"):
        run_canvas()

    set_conn(
        monkeypatch,
        "canvas_api",
        conn_type="http",
        host=canvas.url,
        password="nope-nope-nope",
        extra=FAST,
    )
    started = len(canvas.exports)
    with pytest.raises(AirflowFailException, match=r"HTTP 401.*Invalid access token.*'canvas_api'"):
        run_canvas()
    assert len(canvas.exports) == started


def test_export_dags_schedule_and_outlets():
    from ol_platform.orchestration.export_dags import build_export_dags

    dags = build_export_dags()  # from the registry's course-export entries
    assert set(dags) == {f"course_export__{s}" for s in ("mitxonline", "xpro", "mitx", "canvas")}
    assert dags["course_export__canvas"].timetable.expression == "0 */6 * * *"
    assert dags["course_export__mitx"].timetable.expression == "0 4 * * *"
    for name, dag in dags.items():
        source = name.removeprefix("course_export__")
        task = dag.get_task("export_courses")
        assert task.outlets == [export_asset(source)]
        assert task.outlets[0].uri == f"olp-landing://course-exports/{source}"
        assert task.retries >= 1 and task.retry_exponential_backoff
        if source == "canvas":
            assert len(dag.tasks) == 1
            continue
        # Open edX: the course structure lands, is staged, then its raw table is published.
        table = f"raw__{source}__openedx__api__course_blocks"
        landed = dag.get_task("land_course_blocks")
        publish = dag.get_task("publish_raw_tables")
        assert landed.upstream_task_ids == {"export_courses"}
        assert [a.name for a in publish.outlets] == [f"ol_warehouse_local_raw.{table}"]
        staging = [t for t in dag.tasks if t.task_id.startswith("stage")]
        assert staging, "the structure's staging model is built before the table is published"
        assert dag.get_task("publish_raw_tables").upstream_task_ids <= {t.task_id for t in staging}


BLOCKS = "raw__mitxonline__openedx__api__course_blocks"


def run_blocks() -> dict:
    return land_openedx_course_blocks.function(DEPLOYMENT, BLOCKS)


def held_blocks(catalog) -> list[dict]:
    table = catalog.load_table(f"ol_warehouse_local_raw.{BLOCKS}").scan().to_arrow()
    return table.select(["course_id", "block_id", "course_content_hash"]).to_pylist()


def test_each_new_export_lands_its_course_structure_once(studio, local_landing, catalog):
    from ol_platform.exports.course_blocks import course_blocks

    archives = run_openedx()
    expected = {}
    for item in archives:
        with local_landing.open(item["content_path"]) as f:
            expected[item["course_id"]] = course_blocks(
                f, course_id=item["course_id"], course_content_hash=item["sha256"], retrieved_at=NOW
            )
    assert run_blocks() == {"courses": 4, "rows": sum(map(len, expected.values()))}
    held = held_blocks(catalog)
    assert sorted((r["course_id"], r["block_id"]) for r in held) == sorted(
        (c, b["block_id"]) for c, blocks in expected.items() for b in blocks
    )
    assert {r["course_content_hash"] for r in held} == {a["sha256"] for a in archives}

    # A rerun lands nothing again; a published change lands that course's new structure.
    assert run_blocks() == {"courses": 0, "rows": 0}
    assert len(held_blocks(catalog)) == len(held)
    changed = sorted(studio.courses)[0]
    studio.publish(changed)
    (new,) = run_openedx()
    result = run_blocks()
    assert result["courses"] == 1 and result["rows"] > 0
    after = held_blocks(catalog)
    assert len(after) == len(held) + result["rows"], "the earlier structure is kept"
    assert {r["course_content_hash"] for r in after if r["course_id"] == changed} == {
        expected[changed][0]["course_content_hash"],
        new["sha256"],
    }


def test_an_unreadable_archive_fails_the_task_and_the_others_land(studio, local_landing, catalog):
    from airflow.sdk.exceptions import AirflowFailException

    archives = run_openedx()
    broken = archives[1]
    local_landing.put_bytes(broken["content_path"], b"<html>Access denied</html>")
    with pytest.raises(AirflowFailException) as caught:
        run_blocks()
    message = str(caught.value)
    assert local_landing.uri(broken["content_path"]) in message
    assert "not a readable .tar.gz" in message and "3 other course(s) landed" in message
    assert {r["course_id"] for r in held_blocks(catalog)} == {a["course_id"] for a in archives} - {
        broken["course_id"]
    }
    # Once the course's next export lands, its structure does too (nothing else twice).
    studio.publish(broken["course_id"])
    run_openedx()
    assert run_blocks()["courses"] == 1
    rows = held_blocks(catalog)
    assert len(rows) == len(
        {(r["course_id"], r["block_id"], r["course_content_hash"]) for r in rows}
    )
