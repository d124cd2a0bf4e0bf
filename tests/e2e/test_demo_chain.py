"""The main job, end to end, under a real Airflow (scheduler, DAG processor, triggerer, API
server) with its metadata on PostgreSQL: the slice's ingest DAGs land the raw tables, their
Assets trigger the transform DAG, and every model is built in the lake."""

from __future__ import annotations

import json
import re

import pyarrow.compute as pc
import pytest

from ol_platform.cli.airflow_api import AirflowAPI
from ol_platform.cli.demo import runnable_sources
from ol_platform.cli.progress import RunProgress, Steps
from ol_platform.lake.catalog import get_catalog
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

# The first test runs the whole demo (about 15 min alone on 2 cores; 25 with a second
# Airflow busy on the machine): the limit catches a hang, not a slow machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]


def test_demo_chain_under_a_real_scheduler(demo):
    summary, settings = demo.summary, demo.settings

    assert summary.ok, summary.render()
    assert {
        "raw__mitxonline__app__postgres__courses_course": 20,
        "raw__mitxonline__app__postgres__courses_courserun": 90,
        "raw__mitxonline__app__postgres__users_user": 3000,
        "raw__mitxonline__app__postgres__courses_courserunenrollment": 8000,
        "raw__mit_climate__api__articles": 240,
    }.items() <= summary.raw_tables.items()
    registry = load_registry(DEFAULT_REGISTRY)
    for name in runnable_sources(registry):
        for table in registry[name].raw_table_names():
            assert summary.raw_tables[table] > 0, table
    transform_runs = summary.runs["transform"]
    assert transform_runs and all(r["run_type"] == "asset_triggered" for r in transform_runs)
    assert all(r["state"] == "success" for runs in summary.runs.values() for r in runs)
    assert summary.models["int__mitxonline__course_runs"] == {"state": "success", "rows": 90}
    assert summary.models["stg__mitxonline__app__postgres__users_user"]["rows"] == 3000
    # Every model built (staging by the ingest DAGs, the rest by transform); every test passed.
    assert all(m["state"] == "success" for m in summary.models.values()), summary.models
    assert summary.tests.get("pass", 0) > 100 and set(summary.tests) == {"pass"}

    catalog = get_catalog(settings)
    users = (
        catalog.load_table("ol_warehouse_local_raw.raw__mitxonline__app__postgres__users_user")
        .scan()
        .to_arrow()
    )
    assert pc.count_distinct(users.column("id")).as_py() == users.num_rows
    runs = (
        catalog.load_table("ol_warehouse_local_intermediate.int__mitxonline__course_runs")
        .scan()
        .to_arrow()
    )
    enrollments = sum(runs.column("courserun_enrollment_count").to_pylist())
    assert 0 < enrollments <= 8000

    # The asset-triggered hop from a raw table's event to the transform run starting.
    assert summary.hops["transform"] and all(0 <= h < 300 for h in summary.hops["transform"])

    # The reverse path: every export source landed archives; MIT Learn acknowledged each
    # one except mitx's (not sent); OpenMetadata built and validated its workflows and, with
    # no server configured here, said it skipped them.
    assert all(summary.archives[s] > 0 for s in ("mitxonline", "xpro", "mitx", "canvas"))
    sent = sum(n for s, n in summary.archives.items() if s != "mitx")
    assert summary.webhooks_acknowledged == sent
    assert summary.catalog["ingest_metadata"] == "skipped", summary.catalog
    assert summary.catalog["classify_pii"] == "skipped", summary.catalog
    # The transform's artifacts for OpenMetadata: the build's manifest (compiled SQL) and
    # results, and the catalog (column types) of every model the demo built.
    latest = settings.home / "dbt_artifacts" / "transform" / "latest"
    manifest = json.loads((latest / "manifest.json").read_text())
    assert any(n.get("compiled_code") for n in manifest["nodes"].values())
    columns = json.loads((latest / "catalog.json").read_text())["nodes"]
    assert columns["model.ol_dbt.dim_course_run"]["columns"]["courserun_title"]["type"]
    for dag_id in ("mit_learn_webhooks", "openmetadata_ingestion"):
        assert summary.hops[dag_id] and all(0 <= h < 300 for h in summary.hops[dag_id])

    dim = catalog.load_table("ol_warehouse_local_dimensional.dim_course_run").scan().to_arrow()
    assert len(set(dim.column("platform").to_pylist())) >= 5

    # The Open edX exports and edX.org's course exports landed their course structure: videos
    # in it carry their settings, and engagement with them the unit, subsection and section
    # they sit in.
    def rows(name: str) -> list[dict]:
        return (
            catalog.load_table(f"ol_warehouse_local_dimensional.{name}")
            .scan()
            .to_arrow()
            .to_pylist()
        )

    for source in ("mitxonline", "xpro", "mitx"):
        assert summary.raw_tables[f"raw__{source}__openedx__api__course_blocks"] > 0, source
    assert summary.raw_tables["raw__edxorg__s3__course_blocks"] > 0
    placed = [v for v in rows("dim_video") if v["content_block_fk"]]
    assert {v["platform"] for v in placed} == {"mitxonline", "xpro", "residential", "edxorg"}
    assert all(v["video_name"] and v["edx_video_id"] and v["html5_sources"] for v in placed)
    titled = [e for e in rows("afact_video_engagement") if e["video_title"]]
    assert titled and all(e["unit_title"] and e["section_content_fk"] for e in titled)

    written = json.loads((settings.home / "demo-summary.json").read_text())
    assert written["ok"] is True and written["raw_tables"] == summary.raw_tables
    assert written["failed_tries"] == summary.failed_tries


def test_the_summary_lists_every_failed_try_that_airflow_recorded(demo):
    """A task that failed on a try and passed on a retry leaves its run green; the summary
    still lists that try, with an error line. Checked against Airflow's own try history."""
    api = AirflowAPI(demo.airflow_url)
    recorded = set()
    for ti in api.all_task_instances():
        dag_id, run_id, task_id = ti["dag_id"], ti["dag_run_id"], ti["task_id"]
        if dag_id not in demo.summary.runs or (ti["try_number"] < 2 and ti["state"] != "failed"):
            continue
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries"
        for attempt in api.get(path)["task_instances"]:
            if attempt["state"] in ("failed", "up_for_retry"):
                recorded.add((dag_id, run_id, task_id, attempt["try_number"]))
    listed = {
        (t["dag_id"], t["run_id"], t["task_id"], t["try_number"]) for t in demo.summary.failed_tries
    }
    assert listed == recorded
    text = demo.summary.render()
    if recorded:
        assert "failed tries, listed below" in text.splitlines()[0]
        for t in demo.summary.failed_tries:
            assert f"{t['dag_id']}.{t['task_id']} try {t['try_number']}" in text
            assert t["error"] and t["error"] in text
    else:
        assert "Failed tries: none" in text


def test_the_progress_counts_each_load_once_as_soon_as_it_succeeds(demo):
    """The demo's tally counts an ingest run's rows from its extract_load result, found by the
    REST API's task_id filter, before the run ends; each run's rows count once."""
    api = AirflowAPI(demo.airflow_url)
    loads = api.all_task_instances(state=["success"], task_id="extract_load")
    assert loads and {ti["task_id"] for ti in loads} == {"extract_load"}
    ingest = [dag_id for dag_id in demo.summary.runs if dag_id.startswith("ingest__")]
    expected = sum(
        sum(api.xcom(ti["dag_id"], ti["dag_run_id"], "extract_load").values())
        for ti in loads
        if ti["dag_id"] in ingest
    )
    lines: list[str] = []
    progress = RunProgress(api, Steps(out=lines.append))
    progress.track(ingest)
    progress.poll()  # every run has ended: both the load and the run's success are seen
    assert progress.rows_landed == expected > 0
    assert lines[-1].endswith(f"; {expected:,} rows landed")


def test_model_tasks_write_their_last_lines_to_their_own_logs(demo):
    """A model task's dbt lines, compiled SQL and verdict are logged by its trigger just before
    it ends; the triggerer's supervisor closes the task's log when the trigger ends. Every
    verdict must be in its task's log, none in the triggerer's own."""
    airflow_home = demo.settings.home / "airflow"
    verdict = re.compile(r"\S+ and its \d+ tests passed")
    triggerer_log = (airflow_home / "component-logs" / "triggerer.log").read_text(errors="replace")
    stray = [line for line in triggerer_log.splitlines() if verdict.search(line)]
    # The runner's warning when it gave up waiting for the supervisor to read a finish's lines.
    late = triggerer_log.count("reported finished with log lines unread")
    assert not stray, (
        f"{len(stray)} verdicts in the triggerer's own log ({late} finishes reported before "
        "their lines were read):\n" + "\n".join(stray[:3])
    )
    task_logs = (airflow_home / "logs" / "dag_id=transform").rglob("*.log")
    assert sum(bool(verdict.search(p.read_text(errors="replace"))) for p in task_logs) > 50
