"""The registry's promise, seen from Airflow: whatever one entry holds, the DAG files import
without error, every other source's DAG is built exactly as before, and the bad entry is one
DAG with a valid id that can only fail, carrying the file, the source and the field."""

from __future__ import annotations

import pytest
from airflow.utils.helpers import validate_key

from ol_platform.settings import REPO_ROOT
from ol_platform.sources.registry import DEFAULT_REGISTRY

DAGS = REPO_ROOT / "dags"
REGISTRY_FILES = ("ingest.py", "course_exports.py")


def _bag(monkeypatch, registry=None, env: str | None = None, files=REGISTRY_FILES):
    from airflow.dag_processing.dagbag import DagBag

    if registry is not None:
        monkeypatch.setenv("OLP_REGISTRY", str(registry))
    if env is not None:
        monkeypatch.setenv("OLP_ENV", env)
    bags = [DagBag(dag_folder=str(DAGS / f)) for f in files]
    errors = {k: v for b in bags for k, v in b.import_errors.items()}
    return {d: dag for b in bags for d, dag in b.dags.items()}, errors


def _shape(dag) -> tuple:
    """What a user depends on in a DAG: tasks and their wiring, schedule, tags, Assets, args."""
    return (
        sorted((t.task_id, sorted(t.downstream_task_ids)) for t in dag.tasks),
        getattr(dag.timetable, "expression", None),
        sorted(dag.tags),
        sorted(getattr(a, "uri", f"alias:{a.name}") for t in dag.tasks for a in t.outlets),
        sorted((t.task_id, t.owner, t.retries, str(t.execution_timeout)) for t in dag.tasks),
    )


@pytest.fixture(scope="module")
def baseline():
    from airflow.dag_processing.dagbag import DagBag

    bags = [DagBag(dag_folder=str(DAGS / f)) for f in REGISTRY_FILES]
    return {d: _shape(dag) for b in bags for d, dag in b.dags.items()}


BAD = """  - name: bad_app
    title: A bad app
    transport: airbyte
    cadence: 6h
    system: bad
    storage: postgres
    tables: [{entity: users, primary_key: [id]}]
    airbyte: {connections: [bad_app_postgres]}
    local: {loader: app_database, sample: bad, conn_id: bad_db}"""
BAD_EXPORT = """  - name: bad_exports
    title: Bad exports
    transport: course_export
    cadence: 6h
    system: bad
    local: {loader: canvas_export}"""

# (case, entry, replace, with, field named in the message, DAG id prefix)
HOSTILE = [
    ("valid control", BAD, "", "", None, None),
    ("name no", BAD, "name: bad_app", "name: no", "name", "ingest__broken__entry_"),
    ("name number", BAD, "name: bad_app", "name: 3.14", "name", "ingest__broken__entry_"),
    ("name null", BAD, "name: bad_app", "name: null", "name", "ingest__broken__entry_"),
    ("name with spaces", BAD, "name: bad_app", "name: Bad App!", "name", "ingest__broken__entry_"),
    ("name too long", BAD, "name: bad_app", "name: " + "a" * 260, "name", "ingest__broken__entry_"),
    ("name of a shipped source", BAD, "name: bad_app", "name: xpro", "name",
     "ingest__broken__entry_"),
    ("name a list", BAD, "name: bad_app", "name: [a, b]", "name", "ingest__broken__entry_"),
    ("huge title", BAD, "title: A bad app", "title: " + "t" * 100_000, "title", "ingest__bad_app"),
    ("alias", BAD, "title: A bad app", "title: &t A bad app\n    owner: *t", "owner",
     "ingest__bad_app"),
    ("duplicate key", BAD, "cadence: 6h", "cadence: 6h\n    cadence: 24h", "cadence",
     "ingest__bad_app"),
    ("unknown loader", BAD, "loader: app_database", "loader: app_db", "local.loader",
     "ingest__bad_app"),
    ("shipped raw table", BAD, "system: bad\n    storage: postgres\n    tables: [{entity: users",
     "system: xpro\n    subsystem: app\n    storage: postgres\n    tables: [{entity: "
     "courses_course", "tables", "ingest__bad_app"),
    ("tables a string", BAD, "tables: [{entity: users, primary_key: [id]}]", "tables: users",
     "tables", "ingest__bad_app"),
    ("broken course export", BAD_EXPORT, "cadence: 6h", "cadence: weekly", "cadence",
     "course_export__bad"),
    ("course export of a shipped system", BAD_EXPORT, "system: bad", "system: canvas", "system",
     "course_export__broken__entry_"),
    ("course export bad loader", BAD_EXPORT, "canvas_export", "app_database", "local.loader",
     "course_export__bad"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "entry", "old", "new", "field", "prefix"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_one_hostile_entry_is_one_failing_dag_and_leaves_the_others_unchanged(
    tmp_path, monkeypatch, baseline, case, entry, old, new, field, prefix
):
    path = tmp_path / "sources.yaml"
    text = DEFAULT_REGISTRY.read_text()
    entry = entry.replace(old, new) if old else entry
    # Last in the file: where two entries clash, the later one is the one reported.
    path.write_text(f"{text.rstrip()}\n\n{entry}\n")
    dags, errors = _bag(monkeypatch, path)
    assert errors == {}
    assert {d: _shape(dags[d]) for d in baseline} == baseline, "another DAG changed"
    extra = sorted(set(dags) - set(baseline))
    if prefix is None:
        assert extra == ["ingest__bad_app"]
        return
    [dag_id] = extra
    assert dag_id.startswith(prefix)
    validate_key(dag_id, max_length=250)
    dag = dags[dag_id]
    assert [t.task_id for t in dag.tasks] == ["invalid_registry_entry"]
    assert dag.schedule is None and "invalid-config" in dag.tags
    assert str(path) in dag.doc_md and f"field '{field}" in dag.doc_md
    assert len(dag.doc_md) < 5_000


def test_an_unusable_registry_is_one_failing_dag_per_file_not_an_import_error(
    tmp_path, monkeypatch
):
    path = tmp_path / "sources.yaml"
    path.write_bytes(b"\xff\xfe not a registry \x00")
    dags, errors = _bag(monkeypatch, path)
    assert errors == {}
    assert set(dags) == {"ingest__broken__registry", "course_export__broken__registry"}
    assert all(str(path) in d.doc_md and "UTF-8" in d.doc_md for d in dags.values())


def test_an_unknown_olp_env_is_a_failing_dag_in_every_file(monkeypatch):
    files = sorted(p.name for p in DAGS.glob("*.py"))
    dags, errors = _bag(monkeypatch, env="prod", files=files)
    assert errors == {}
    assert len(dags) == len(files)
    for dag in dags.values():
        assert [t.task_id for t in dag.tasks] == ["invalid_registry_entry"]
        assert "OLP_ENV=prod is not an environment" in dag.doc_md, dag.dag_id


def test_course_export_dags_take_their_cadence_from_the_registry(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    text = DEFAULT_REGISTRY.read_text()
    canvas = text.index("  - name: canvas_course_exports")
    text = text[:canvas] + text[canvas:].replace("cadence: 6h", "cadence: 12h", 1)
    path.write_text(text)
    dags, errors = _bag(monkeypatch, path, files=("course_exports.py",))
    assert errors == {}
    assert dags["course_export__canvas"].timetable.expression == "0 */12 * * *"
    assert dags["course_export__mitxonline"].timetable.expression == "0 4 * * *"


def test_the_webhook_dag_listens_to_every_course_export_of_the_registry():
    from ol_platform.exports.assets import EXPORT_SOURCES
    from ol_platform.sources.registry import load_registry

    systems = {s.system for s in load_registry(DEFAULT_REGISTRY).export_sources()}
    assert systems == set(EXPORT_SOURCES), "a course export whose Asset nobody is scheduled on"


def test_a_task_s_parse_builds_only_its_own_ingest_dag(monkeypatch, baseline):
    """A task process parses the DAG file for its own DAG (Airflow's parsing context); the
    DAG it gets is the one the DAG processor built."""
    from airflow.sdk.definitions.context import _AIRFLOW_PARSING_CONTEXT_DAG_ID as CONTEXT

    monkeypatch.setenv(CONTEXT, "ingest__mitxonline_app")
    dags, errors = _bag(monkeypatch, files=("ingest.py",))
    assert errors == {}
    assert list(dags) == ["ingest__mitxonline_app"]
    assert _shape(dags["ingest__mitxonline_app"]) == baseline["ingest__mitxonline_app"]

    # An id that names no source (a broken entry's DAG, say): every DAG, as the processor.
    monkeypatch.setenv(CONTEXT, "ingest__no_such_source")
    dags, _ = _bag(monkeypatch, files=("ingest.py",))
    assert set(dags) == {d for d in baseline if d.startswith("ingest__")}
