"""The DAG processor keeps a file's parse interval when it runs task callbacks for it.

Each model task a trigger ends sends the processor a task callback request; without the fix a
callback-only pass made the file look never parsed, so it was parsed and written again at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from ol_platform.orchestration.dag_processor import keep_parse_time_after_callbacks


@pytest.fixture
def manager(monkeypatch):
    from airflow.dag_processing import manager as airflow_manager

    # The patch is installed on the class: undo it after each test.
    monkeypatch.setattr(
        airflow_manager.DagFileProcessorManager,
        "handle_parsing_result",
        airflow_manager.DagFileProcessorManager.handle_parsing_result,
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
