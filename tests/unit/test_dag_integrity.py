"""Guards for the whole DAG folder: every DAG parses, matches the registry, and carries what
operations rely on (owner, tags from the fixed set, retries, a failure callback)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from ol_platform.settings import REPO_ROOT
from ol_platform.sources.models import Tag
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

DAGS = REPO_ROOT / "dags"
ALLOWED_TAGS = {t.value for t in Tag} | {"invalid-config"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_every_dag_file_yields_dags(dagbag):
    files = {Path(d.fileloc).name for d in dagbag.dags.values()}
    assert files == {p.name for p in DAGS.glob("*.py")}


def _ingested(registry):
    return registry.ingest_sources()


def test_one_ingest_dag_per_registry_entry(dagbag):
    registry = load_registry(DEFAULT_REGISTRY)
    ingest = {d for d in dagbag.dag_ids if d.startswith("ingest__")}
    assert ingest == {s.dag_id for s in _ingested(registry)}
    # Course exports have their own DAGs, not an ingest DAG.
    exports = {d for d in dagbag.dag_ids if d.startswith("course_export__")}
    assert exports == {f"course_export__{s}" for s in ("canvas", "mitxonline", "xpro", "mitx")}
    assert exports == {s.dag_id for s in registry.export_sources()}
    assert not any(s.name in d for s in registry.export_sources() for d in ingest)


def test_schedules_equal_the_registry(dagbag):
    for source in load_registry(DEFAULT_REGISTRY).sources.values():
        dag = dagbag.dags[source.dag_id]
        assert dag.timetable.expression == source.schedule, source.name
    assert dagbag.dags["course_export__canvas"].timetable.expression == "0 */6 * * *"


def test_operational_defaults(dagbag):
    for dag in dagbag.dags.values():
        assert set(dag.tags) <= ALLOWED_TAGS, dag.dag_id
        assert dag.catchup is False, dag.dag_id
        assert dag.max_active_runs == 1, dag.dag_id
        assert dag.is_paused_upon_creation is True, f"{dag.dag_id}: paused outside production"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag.dag_id}.{task.task_id}"
            assert task.on_failure_callback, f"{dag.dag_id}.{task.task_id}"
        if dag.dag_id.startswith("ingest__"):
            # The dbt producer retries once, building only the models whose tasks still wait
            # for it; each model's task retries, rebuilding that model alone.
            retried = [t for t in dag.tasks if not t.task_id.endswith("dbt_producer")]
            assert all(t.retries >= 1 and t.retry_exponential_backoff for t in retried)
            assert all(t.retries == 1 for t in dag.tasks if t not in retried)


def test_ingest_dags_emit_their_raw_tables_as_assets(dagbag):
    for source in _ingested(load_registry(DEFAULT_REGISTRY)):
        publish = dagbag.dags[source.dag_id].get_task("publish_raw_tables")
        uris = {a.uri for a in publish.outlets}
        assert uris == {
            f"iceberg://ol-lake/ol_warehouse_local_raw/{t}" for t in source.raw_table_names()
        }


def test_transform_is_scheduled_on_the_raw_assets_it_reads_and_emits_model_assets(dagbag):
    from ol_platform.orchestration.transform_dag import TRANSFORM_LAYERS
    from ol_platform.transform.project import load_graph

    dag = dagbag.dags["transform"]
    graph = load_graph()
    upper = graph.in_layers(TRANSFORM_LAYERS)
    scheduled = {a.uri for a in dag.timetable.asset_condition.objects}
    expected = graph.upstream_source_tables([m.name for m in upper])
    assert scheduled == {f"iceberg://ol-lake/ol_warehouse_local_raw/{t}" for t in expected}
    assert "raw__mitxonline__app__postgres__courses_courserun" in expected  # through staging
    emitted = {a.uri for t in dag.tasks for a in t.outlets if hasattr(a, "uri")}
    assert emitted == {f"iceberg://ol-lake/ol_warehouse_local_{m.layer}/{m.name}" for m in upper}
    # A task ended from the triggerer emits no event: the producer emits them through an alias.
    assert [a.name for a in dag.get_task("dbt_producer").outlets] == ["dbt-models__transform"]
    assert "iceberg://ol-lake/ol_warehouse_local_dimensional/dim_course_run" in emitted


def test_every_model_is_built_and_emitted_by_exactly_one_dag(dagbag):
    """Staging by its source's ingest DAG (sync and stage), the layers above by transform."""
    from ol_platform.transform.project import load_graph

    owners: dict[str, list[str]] = {}
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            for asset in task.outlets:
                uri = getattr(asset, "uri", "")  # an AssetAlias has none
                if uri.startswith("iceberg://") and "_raw/" not in uri:
                    owners.setdefault(uri, []).append(dag.dag_id)
    models = {
        f"iceberg://ol-lake/ol_warehouse_local_{m.layer}/{m.name}": m for m in load_graph().models
    }
    assert set(owners) == set(models)
    assert all(len(dags) == 1 for dags in owners.values()), owners
    dag = dagbag.dags["ingest__mitxonline_app"]
    stage = dag.task_group_dict["stage"]
    assert {t.task_id for t in stage.get_leaves()} >= {"stage.dbt_producer"}
    assert all(t.downstream_task_ids == {"publish_raw_tables"} for t in stage.get_leaves())
    assert "stage.staging.stg__mitxonline__app__postgres__users_user" in dag.task_ids
    # Each model task reads the results of its own group's producer.
    models = [t for t in dag.tasks if t.task_id.startswith("stage.staging.")]
    assert models and {t.start_trigger_args.trigger_kwargs["producer_task_id"] for t in models} == {
        "stage.dbt_producer"
    }


def test_local_ingest_runs_the_sample_loader_and_production_runs_airbyte(monkeypatch):
    from ol_platform.orchestration.ingest_dag import build_ingest_dag
    from ol_platform.settings import Settings

    source = load_registry(DEFAULT_REGISTRY)["xpro"]
    local = build_ingest_dag(source, Settings("local", Path("/tmp")), str(DEFAULT_REGISTRY))
    tasks = {t.task_id for t in local.tasks}
    assert {"extract_load", "stage.dbt_producer", "publish_raw_tables"} <= tasks
    staged = {t for t in tasks if t.startswith("stage.staging.stg__xpro__")}
    assert staged and tasks == {"extract_load", "stage.dbt_producer", "publish_raw_tables", *staged}
    prod = build_ingest_dag(source, Settings("production", Path("/tmp")), str(DEFAULT_REGISTRY))
    assert {t.task_id for t in prod.tasks} == {
        "sync__xpro_app_postgres",
        "sync__xpro_openedx_mysql",
        "stage.dbt_producer",
        "publish_raw_tables",
        *staged,
    }
    sync = prod.get_task("sync__xpro_app_postgres")
    assert sync.deferrable is True
    assert prod.is_paused_upon_creation is False


def test_a_broken_registry_entry_breaks_only_its_own_dag(tmp_path, monkeypatch):
    raw = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    raw["sources"][0]["cadence"] = "3h"
    broken = raw["sources"][0]["name"]
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("OLP_REGISTRY", str(path))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "ingest.py"))
    assert bag.import_errors == {}
    exports = [s for s in raw["sources"] if s["transport"] == "course_export"]
    ingest = [d for d in bag.dag_ids if d.startswith("ingest__")]
    assert len(ingest) == len(raw["sources"]) - len(exports)
    dag = bag.dags[f"ingest__{broken}"]
    assert [t.task_id for t in dag.tasks] == ["invalid_registry_entry"]
    assert "invalid-config" in dag.tags
    assert "field 'cadence'" in dag.doc_md and str(path) in dag.doc_md
    assert dag.schedule is None
    healthy = bag.dags["ingest__mitxonline_app"]
    assert "extract_load" in healthy.task_ids


def test_dag_files_parse_without_network_or_database(tmp_path):
    """Parse every DAG file in a fresh interpreter where sockets and SQL engines are forbidden."""
    script = tmp_path / "parse.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import socket, sqlalchemy.engine
            def forbidden(*a, **k):
                raise AssertionError("I/O at DAG parse time")
            socket.socket.connect = forbidden
            socket.socket.connect_ex = forbidden
            sqlalchemy.engine.Engine.connect = forbidden
            sqlalchemy.engine.Engine.raw_connection = forbidden
            import runpy, sys
            for path in {sorted(str(p) for p in DAGS.glob("*.py"))!r}:
                runpy.run_path(path)
            # Heavy plugins must not be pulled in by parsing (Cosmos reading the manifest
            # through ObjectStoragePath used to load every plugin, ~20 s).
            assert "openmetadata_managed_apis" not in sys.modules, "plugins loaded at parse"
            # Nor the libraries only tasks need: every parse would pay their imports.
            heavy = ("cosmos.operators.local", "cosmos.converter", "dlt", "pyiceberg", "duckdb")
            loaded = [m for m in heavy if m in sys.modules]
            assert not loaded, f"imported at parse time: {{loaded}}"
            print("parsed")
            """
        )
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "parsed" in out.stdout


def test_dag_files_are_thin():
    """Shared code lives in the library; DAG files do not import each other."""
    for path in DAGS.glob("*.py"):
        text = path.read_text()
        assert "from dags" not in text and "import dags" not in text, path.name
        assert len(text.splitlines()) < 40, f"{path.name} should only call a factory"
