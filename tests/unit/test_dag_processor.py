"""The DAG processor keeps a file's parse interval when it runs task callbacks for it.

Each model task a trigger ends sends the processor a task callback request; without the fix a
callback-only pass made the file look never parsed, so it was parsed and written again at once.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from ol_platform.orchestration.dag_processor import (
    dag_inputs,
    drop_no_op_task_callbacks,
    keep_parse_time_after_callbacks,
    reparse_when_inputs_change,
)


@pytest.fixture
def manager(monkeypatch):
    from airflow.dag_processing import manager as airflow_manager

    # The patches are installed on the class: undo them after each test.
    for name in ("handle_parsing_result", "_add_callback_to_queue", "_sort_by_mtime"):
        monkeypatch.setattr(
            airflow_manager.DagFileProcessorManager,
            name,
            getattr(airflow_manager.DagFileProcessorManager, name),
        )
    manager = airflow_manager.DagFileProcessorManager(max_runs=1)
    monkeypatch.setattr(manager, "_get_team_name", lambda bundle: None)
    return manager


def _file(version: str | None = None):
    from airflow.dag_processing.manager import DagFileInfo

    return DagFileInfo(
        rel_path=Path("transform.py"),
        bundle_name="dags-folder",
        bundle_path=Path("/dags"),
        bundle_version=version,
    )


def _parsed(manager, file, at):
    from airflow.dag_processing.manager import DagFileStat

    manager._file_stats[file] = DagFileStat(
        num_dags=1, last_finish_time=at, last_duration=0.4, run_count=3
    )


def _callbacks_ran(manager, file):
    proc = SimpleNamespace(had_callbacks=True, parsing_result=None, start_time=time.monotonic())
    manager.handle_parsing_result(file, proc, session=None)


@pytest.mark.parametrize("callback_version", [None, "v1"], ids=["same-key", "pinned-version"])
def test_a_callback_only_pass_keeps_the_file_s_last_parse(manager, callback_version):
    keep_parse_time_after_callbacks()
    keep_parse_time_after_callbacks()  # idempotent
    now = datetime.now(UTC)
    manager._file_process_interval = 300
    scanned = _file()
    _parsed(manager, scanned, now - timedelta(seconds=10))

    _callbacks_ran(manager, _file(callback_version))

    # Parsed 10 s ago with a 300 s interval: not due again, whichever key the callback used.
    assert manager.processed_recently(now, scanned)
    by_path = {f.presence_key: s for f, s in manager._file_stats.items()}
    assert by_path[scanned.presence_key].last_finish_time == now - timedelta(seconds=10)
    assert by_path[scanned.presence_key].num_dags == 1


def test_a_file_never_parsed_stays_due(manager):
    keep_parse_time_after_callbacks()
    manager._file_process_interval = 300
    _callbacks_ran(manager, _file())
    assert not manager.processed_recently(datetime.now(UTC), _file())


def test_without_the_fix_a_callback_makes_the_file_due_at_once(manager):
    """What the fix is for, on the Airflow installed here (if Airflow fixes it, drop the fix)."""
    now = datetime.now(UTC)
    manager._file_process_interval = 300
    _parsed(manager, _file(), now - timedelta(seconds=10))
    _callbacks_ran(manager, _file())
    assert not manager.processed_recently(now, _file())


def _request(state: str):
    from airflow.callbacks.callback_requests import TaskCallbackRequest
    from airflow.utils.state import TaskInstanceState

    ti = {
        "id": "0199a3c1-7d6e-7b4f-9c55-0a1b2c3d4e5f",
        "task_id": "intermediate.int__a",
        "dag_id": "transform",
        "run_id": "r1",
        "try_number": 1,
        "dag_version_id": "0199a3c1-7d6e-7b4f-9c55-0a1b2c3d4e60",
        "map_index": -1,
        "pool_slots": 1,
        "queue": "default",
        "priority_weight": 1,
    }
    return TaskCallbackRequest(
        filepath="transform.py",
        bundle_name="dags-folder",
        bundle_version=None,
        ti=ti,
        task_callback_type=TaskInstanceState(state),
    )


def test_a_success_queues_no_parse_and_a_failure_still_does(manager, monkeypatch):
    """The processor only logs a task callback request for a success; a failure or a retry
    runs the task's callback and must still reach it."""
    monkeypatch.setattr(
        manager, "prepare_callback_bundle", lambda request: SimpleNamespace(path=Path("/dags"))
    )
    drop_no_op_task_callbacks()
    drop_no_op_task_callbacks()  # idempotent
    manager._add_callback_to_queue(_request("success"))
    assert not manager._callback_to_execute and not manager._file_queue
    for state in ("failed", "up_for_retry"):
        manager._add_callback_to_queue(_request(state))
    (queued,) = manager._callback_to_execute.values()
    assert [r.task_callback_type.value for r in queued] == ["failed", "up_for_retry"]
    assert [f.rel_path for f in manager._file_queue] == [Path("transform.py")]


def _dag_file(tmp_path: Path, name: str, modified: datetime):
    from airflow.dag_processing.manager import DagFileInfo

    path = tmp_path / "dags" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("# a DAG file\n")
    os.utime(path, (modified.timestamp(), modified.timestamp()))
    return DagFileInfo(rel_path=Path(name), bundle_name="dags-folder", bundle_path=path.parent)


def _touch(path: Path, at: datetime) -> Path:
    path.write_text("changed\n")
    os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def test_a_changed_registry_makes_every_parsed_file_due_at_once(manager, tmp_path):
    """A long parse interval (the embedded Airflow's) must not hide an edited registry: the
    DAG files parsed before the edit are queued at the next pass, the others are not."""
    now = datetime.now(UTC)
    registry, manifest = tmp_path / "sources.yaml", tmp_path / "manifest.json"
    _touch(manifest, now - timedelta(hours=2))
    _touch(registry, now - timedelta(hours=2))
    manager._file_process_interval = 3600
    manager._file_parsing_sort_mode = "modified_time"
    reparse_when_inputs_change(lambda: [registry, manifest])
    reparse_when_inputs_change(lambda: [registry, manifest])  # idempotent
    ingest = _dag_file(tmp_path, "ingest.py", now - timedelta(hours=3))
    transform = _dag_file(tmp_path, "transform.py", now - timedelta(hours=3))
    for file in (ingest, transform):
        _parsed(manager, file, now - timedelta(minutes=10))

    def queued() -> list[str]:
        manager._file_queue.clear()
        manager.prepare_file_queue({"dags-folder": {ingest, transform}})
        return sorted(str(f.rel_path) for f in manager._file_queue)

    assert queued() == []  # parsed 10 minutes ago, nothing changed since: not due
    _touch(registry, now - timedelta(minutes=1))
    assert queued() == ["ingest.py", "transform.py"]
    _parsed(manager, ingest, now)  # parsed again after the edit: no longer due
    assert queued() == ["transform.py"]
    _touch(manifest, now + timedelta(seconds=5))  # a rebuilt dbt manifest counts the same
    assert queued() == ["ingest.py", "transform.py"]


def test_missing_inputs_change_nothing(manager, tmp_path):
    now = datetime.now(UTC)
    manager._file_process_interval = 3600
    manager._file_parsing_sort_mode = "modified_time"
    reparse_when_inputs_change(lambda: [tmp_path / "absent.yaml"])
    dag = _dag_file(tmp_path, "ingest.py", now - timedelta(hours=3))
    _parsed(manager, dag, now - timedelta(minutes=10))
    manager.prepare_file_queue({"dags-folder": {dag}})
    assert not manager._file_queue


def test_the_inputs_are_the_registry_and_the_manifest_dags_are_built_from(monkeypatch, tmp_path):
    monkeypatch.setenv("OLP_REGISTRY", str(tmp_path / "sources.yaml"))
    registry, manifest = dag_inputs()
    assert registry == tmp_path / "sources.yaml"
    assert manifest.name == "manifest.json" and manifest.parent.name == "target"
