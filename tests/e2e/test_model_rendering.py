"""The ``models`` rendering under a real Airflow: one ``dbt build``, a task per model ended from
the triggerer; a failed model fails its task and its descendants are ``upstream_failed``; a
retry and a clear rerun that model (and what was cleared with it) on a worker, alone.

A three-model project (``int__a`` -> ``int__b`` -> ``int__c``) over one raw table; ``int__b``
reads a flag file, so it fails until the test creates the file. dbt is called through a
wrapper that, while a "die" file exists, kills the task process that called it (once), as an
OOM kill or a lost worker would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pytest

from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

RAW = "raw__test__things"
MODELS = {
    "int__a": f"select id from {{{{ source('ol_warehouse_raw_data', '{RAW}') }}}}",
    "int__b": (
        "select a.id, f.flag from {{ ref('int__a') }} as a "
        "cross join read_csv_auto("
        '\'{{ env_var("OLP_TEST_FLAG_FILE", "/nonexistent/flag.csv") }}\') as f'
    ),
    "int__c": "select id, flag from {{ ref('int__b') }}",
}
PROPERTIES = f"""
version: 2
sources:
  - name: ol_warehouse_raw_data
    schema: "{{{{ target.schema }}}}_raw"
    tables:
      - name: {RAW}
models:
  - name: int__a
    columns:
      - name: id
        tests: [not_null]
  - name: int__c
    columns:
      - name: id
        tests: [unique]
"""


def _project(root: Path) -> Path:
    project = root / "dbt_project"
    models = project / "models" / "intermediate"
    models.mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: ol_dbt\nversion: '0.1.0'\nconfig-version: 2\nprofile: ol_dbt\n"
        "macro-paths: [macros]\n"
        "models:\n  ol_dbt:\n"
        "    +materialized: \"{{ 'iceberg_table' if target.type == 'duckdb' else 'table' }}\"\n"
        "    intermediate:\n      +schema: intermediate\n"
    )
    shutil.copy(DBT_PROJECT_DIR / "profiles.yml", project / "profiles.yml")
    (project / "macros").symlink_to(DBT_PROJECT_DIR / "macros")
    for name, sql in MODELS.items():
        (models / f"{name}.sql").write_text(sql + "\n")
    (models / "_models.yml").write_text(PROPERTIES)
    out = subprocess.run(
        [str(DBT_EXECUTABLE), "parse", "--profiles-dir", ".", "--profile", "ol_dbt",
         "--target", "duckdb"],
        cwd=project, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
             "DBT_TARGET": "duckdb", "HOME": str(root)},
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:]
    return project


def _states(api, run_id: str) -> dict[str, dict]:
    return {ti["task_id"]: ti for ti in api.task_instances("transform", run_id)}


def _wait(api, run_id: str, done, timeout: float = 900) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = _states(api, run_id)
        if done(states):
            return states
        time.sleep(3)
    raise AssertionError(f"timed out; task states: { {t: s['state'] for t, s in states.items()} }")


def _log(api, run_id: str, task_id: str, try_number: int, dag_id: str = "transform") -> str:
    path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}"
    response = api.request("GET", path, params={"full_content": "true"})
    return json.dumps(response.json())


def test_a_failed_model_fails_alone_and_a_clear_reruns_only_it_and_below(
    settings, catalog, tmp_path, monkeypatch
):
    from ol_platform.cli.airflow_api import AirflowAPI
    from ol_platform.cli.embedded_airflow import EmbeddedAirflow

    catalog.create_namespace_if_not_exists("ol_warehouse_local_raw")
    table = catalog.create_table(
        ("ol_warehouse_local_raw", RAW), schema=pa.schema([pa.field("id", pa.int64())])
    )
    table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    project = _project(tmp_path)
    flag = tmp_path / "flag.csv"
    monkeypatch.setenv("OLP_DBT_PROJECT_DIR", str(project))
    die = tmp_path / "die"
    wrapper = tmp_path / "dbt"
    wrapper.write_text(
        f'#!/bin/sh\nif rm "{die}" 2>/dev/null; then kill -9 "$PPID"; exit 1; fi\n'
        f'exec "{DBT_EXECUTABLE}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("OLP_DBT_EXECUTABLE", str(wrapper))
    monkeypatch.setenv("OLP_DBT_RENDER", "models")
    monkeypatch.setenv("OLP_TEST_FLAG_FILE", str(flag))

    with EmbeddedAirflow(settings) as airflow:
        api = AirflowAPI(airflow.url)
        api.wait_for_dags(["transform"])
        api.unpause("transform")
        run_id = api.trigger("transform")
        a, b, c = (f"intermediate.int__{x}" for x in "abc")

        # int__b fails in the producer's build, then once more when its retry reruns it.
        states = _wait(api, run_id, lambda s: s[b]["state"] == "failed" and s[c]["state"])
        assert states["dbt_producer"]["state"] == "success"
        assert states[a]["state"] == "success" and states[a]["try_number"] == 1
        assert states[b]["try_number"] == 2
        assert states[c]["state"] == "upstream_failed"
        log_a = _log(api, run_id, a, 1)
        assert "OK created sql iceberg_table model ol_warehouse_local_intermediate.int__a" in log_a
        assert "compiled SQL of int__a" in log_a and "not_null_int__a_id" in log_a
        assert "rerunning the model" in _log(api, run_id, b, 2)

        # Fix the input, clear int__b with what depends on it: only those two run again.
        flag.write_text("flag\nyes\n")
        api.request(
            "POST",
            "/dags/transform/clearTaskInstances",
            json={
                "dag_run_id": run_id,
                "task_ids": [b],
                "include_downstream": True,
                "only_failed": False,
                "dry_run": False,
                "reset_dag_runs": True,
            },
        )
        states = _wait(
            api, run_id, lambda s: s[c]["state"] in ("success", "failed", "upstream_failed")
        )
        assert (states[b]["state"], states[c]["state"]) == ("success", "success")
        assert states[a]["try_number"] == 1, "int__a was not cleared and must not rerun"
        assert states["dbt_producer"]["try_number"] == 1, "the whole project did not rebuild"
        assert "OK created sql iceberg_table model" in _log(api, run_id, c, states[c]["try_number"])

        events = api.get("/assets/events", source_dag_id="transform", limit=100)["asset_events"]
        uris = [e["uri"] for e in events]
        base = "iceberg://ol-lake/ol_warehouse_local_intermediate"
        assert uris.count(f"{base}/int__a") == 1, uris  # from the producer, through the alias
        assert uris.count(f"{base}/int__b") == 1 and uris.count(f"{base}/int__c") == 1, uris

        # The producer's process dies as it starts dbt: its retry builds what still waits.
        die.touch()
        run_id = api.trigger("transform")
        states = _wait(
            api, run_id, lambda s: s[c]["state"] in ("success", "failed", "upstream_failed")
        )
        assert not die.exists(), "the producer never called dbt"
        assert states["dbt_producer"]["state"] == "success"
        assert states["dbt_producer"]["try_number"] == 2
        assert {states[t]["state"] for t in (a, b, c)} == {"success"}
        assert {states[t]["try_number"] for t in (a, b, c)} == {1}, "the producer built them"

    rows = catalog.load_table("ol_warehouse_local_intermediate.int__c").scan().to_arrow()
    assert sorted(rows.column("id").to_pylist()) == [1, 2, 3]


def test_a_split_transform_builds_once_and_every_part_reports_its_models(
    settings, catalog, tmp_path, monkeypatch
):
    """One model task per DAG: ``transform``'s producer builds all three models once and starts
    the runs of ``transform__part_02`` and ``__part_03`` under its run id; their tasks end from
    its verdicts. A model that dbt skips below a failure is skipped in its part, not rebuilt on
    its stale input."""
    from ol_platform.cli.airflow_api import AirflowAPI
    from ol_platform.cli.embedded_airflow import EmbeddedAirflow

    catalog.create_namespace_if_not_exists("ol_warehouse_local_raw")
    table = catalog.create_table(
        ("ol_warehouse_local_raw", RAW), schema=pa.schema([pa.field("id", pa.int64())])
    )
    table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    flag = tmp_path / "flag.csv"
    flag.write_text("flag\nyes\n")
    monkeypatch.setenv("OLP_DBT_PROJECT_DIR", str(_project(tmp_path)))
    monkeypatch.setenv("OLP_DBT_RENDER", "models")
    monkeypatch.setenv("OLP_TEST_FLAG_FILE", str(flag))
    monkeypatch.setenv("OLP_TRANSFORM_MODELS_PER_DAG", "1")
    owner = {"transform": "a", "transform__part_02": "b", "transform__part_03": "c"}

    def states_of(run_id: str) -> dict[str, dict]:
        found = {}
        for dag_id in owner:
            runs = {r["dag_run_id"] for r in api.runs(dag_id)}
            if run_id in runs:
                found.update({ti["task_id"]: ti for ti in api.task_instances(dag_id, run_id)})
        return found

    def settled(run_id: str) -> dict[str, dict]:
        deadline = time.monotonic() + 900
        ended = ("success", "failed", "upstream_failed", "skipped")
        while time.monotonic() < deadline:
            states = states_of(run_id)
            models = [t for t in states if t.startswith("intermediate.")]
            if len(models) == 3 and all(states[t]["state"] in ended for t in states):
                return states
            time.sleep(3)
        raise AssertionError(f"timed out: { {t: s['state'] for t, s in states.items()} }")

    with EmbeddedAirflow(settings) as airflow:
        api = AirflowAPI(airflow.url)
        api.wait_for_dags(list(owner))
        api.unpause("transform")  # the parts are unpaused from the start: never scheduled
        run_id = api.trigger("transform")
        states = settled(run_id)
        assert {t: s["state"] for t, s in states.items()} == {
            "dbt_producer": "success",
            "dbt_docs": "success",
            **{f"intermediate.int__{m}": "success" for m in "abc"},
        }
        assert {s["try_number"] for s in states.values()} == {1}, "no model was rebuilt alone"
        log_c = _log(api, run_id, "intermediate.int__c", 1, dag_id="transform__part_03")
        assert "OK created sql iceberg_table model ol_warehouse_local_intermediate.int__c" in log_c
        events = api.get("/assets/events", source_dag_id="transform", limit=100)["asset_events"]
        uris = sorted(e["uri"].rsplit("/", 1)[-1] for e in events)
        assert uris == ["int__a", "int__b", "int__c"], "each model's event, once, from one build"

        # int__b fails in the build: dbt skips int__c, whose task in its part says why.
        flag.unlink()
        run_id = api.trigger("transform")
        states = settled(run_id)
        assert states["intermediate.int__b"]["state"] == "failed"
        assert states["intermediate.int__c"]["state"] == "skipped"
        log_c = _log(api, run_id, "intermediate.int__c", 1, dag_id="transform__part_03")
        assert "a model or test it reads failed in this build" in log_c
