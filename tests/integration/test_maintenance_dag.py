"""The ``lake_maintenance`` DAG run for real (``airflow dags test`` on a fresh metadata DB):
every namespace's task runs, the raw lake's tables are compacted with every row kept, and
each namespace's Asset event carries the per-table report."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from ol_platform.cli.embedded_airflow import EmbeddedAirflow
from ol_platform.lake.catalog import get_catalog
from ol_platform.orchestration.maintenance_dag import DAG_ID, LAYERS
from ol_platform.settings import REPO_ROOT
from ol_platform.sources.models import Tag
from tests.integration.test_lake_maintenance import NAMESPACE, OTHER, RUNS, _load, _versions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_dags_test_maintains_every_namespace_and_reports_in_the_asset_event(settings):
    catalog = get_catalog(settings)
    for run in range(4):
        _load(catalog, RUNS, run)
        _load(catalog, OTHER, run)
    before = _versions(catalog, RUNS)
    airflow = EmbeddedAirflow(settings)
    airflow.migrate()
    env = airflow.env() | {"OLP_MAINTENANCE_MIN_SMALL_FILES": "3"}

    done = subprocess.run(
        [
            *airflow._airflow("dags", "test", DAG_ID),
            "-f",
            str(REPO_ROOT / "dags" / "maintenance.py"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=500,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert f"{RUNS}: ok; compacted=yes, snapshots expired 0" in output  # the task log line
    db = sqlite3.connect(settings.home / "airflow" / "airflow.db")
    events = {
        uri: json.loads(extra)
        for uri, extra in db.execute(
            "SELECT a.uri, e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id"
        )
    }
    assert set(events) == {f"olp-maintenance://ol-lake/ol_warehouse_local_{x}" for x in LAYERS}
    raw = events[f"olp-maintenance://ol-lake/{NAMESPACE}"]
    runs = raw["tables"][RUNS.split(".")[1]]
    assert (
        runs["status"],
        runs["compacted"],
        runs["data_files_before"],
        runs["data_files_after"],
    ) == (
        "ok",
        True,
        4,
        1,
    )
    assert runs["snapshots_expired"] == 0  # a week of history is kept
    assert raw["engine"] == "pyiceberg" and raw["skipped"] == []
    assert events["olp-maintenance://ol-lake/ol_warehouse_local_mart"]["tables"] == {}
    assert _versions(get_catalog(settings), RUNS) == before


def test_the_dag_carries_what_operations_rely_on():
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "maintenance.py")).dags[DAG_ID]
    assert dag.tags == {Tag.MAINTENANCE.value}
    assert dag.timetable.expression == "0 7 * * *"
    assert sorted(t.task_id for t in dag.tasks) == sorted(f"maintain__{x}" for x in LAYERS)
    for task in dag.tasks:
        assert task.retries >= 1 and task.on_failure_callback and task.owner == "data-platform"
        (outlet,) = task.outlets
        assert outlet.uri.startswith("olp-maintenance://ol-lake/ol_warehouse_local_")
