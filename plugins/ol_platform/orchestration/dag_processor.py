"""``airflow dag-processor`` that keeps each DAG file's parse interval across task callbacks.

Airflow 3.3 sends the DAG processor a task callback request for every task a trigger ends,
whether or not the task has a callback; every model task of the ``models`` rendering is one.
The processor runs such requests in a callback-only pass over the file, then records that pass
as the file's latest parse *without a finish time* (so as not to disturb stale-DAG detection),
which makes the file look never parsed: the next loop parses the whole file again, serialises
every DAG in it and writes them to the metadata DB, ignoring ``min_file_process_interval``.
With a model task ending every second or two, the processor re-parsed ``ingest.py`` (20 DAGs)
or ``transform.py`` (220 models) every few seconds for as long as runs went on, and took most
of a core from dbt. Upstream: apache/airflow issue 73432.

Most of those requests are for tasks that succeeded, and for those the processor's callback
pass only logs "Task callback requested but is not a failure callback": the file was parsed
for nothing.

- ``keep_parse_time_after_callbacks``: a callback-only pass keeps the figures of the file's
  last real parse;
- ``drop_no_op_task_callbacks``: a task callback request for a success is dropped before it
  queues a parse (failure and retry requests, which run ``on_failure_callback`` and
  ``on_retry_callback``, are untouched);
- ``reparse_when_inputs_change``: a DAG file counts as changed when a file its DAGs are built
  from (the source registry, the dbt manifest) changed after the file's last parse, as it does
  when the ``.py`` file itself changes (``file_parsing_sort_mode = modified_time``). With it,
  a long ``min_file_process_interval`` (the embedded Airflow's) costs no freshness: an edited
  registry reaches the DAGs at the processor's next loop, and an unchanged file is not parsed
  again every 30 s (on a 2-core machine that took half a core from dbt);
- ``main`` applies them and runs ``airflow dag-processor`` with the given arguments
  (``python -m ol_platform.orchestration.dag_processor [args]``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ol_platform.orchestration.airflow_command import run

_PATCHED = "_olp_keeps_parse_time"


def _last_parse(file_stats: dict, file: Any) -> Any:
    """The newest stat of a real parse of ``file``'s path (any bundle version), if any."""
    parsed = [
        stat
        for tracked, stat in file_stats.items()
        if tracked.presence_key == file.presence_key and stat.last_finish_time is not None
    ]
    return max(parsed, key=lambda stat: stat.last_finish_time, default=None)


def keep_parse_time_after_callbacks() -> None:
    """Make the DAG processor treat a callback-only pass as no parse of the file (idempotent)."""
    from airflow.dag_processing.manager import DagFileProcessorManager

    original = DagFileProcessorManager.handle_parsing_result
    if getattr(original, _PATCHED, False):
        return

    @functools.wraps(original)
    def handle_parsing_result(self: Any, file: Any, proc: Any, *args: Any, **kwargs: Any) -> None:
        if not (proc.had_callbacks and proc.parsing_result is None):
            return original(self, file, proc, *args, **kwargs)
        parsed = _last_parse(self._file_stats, file)
        original(self, file, proc, *args, **kwargs)
        if parsed is not None:
            self._file_stats[file] = parsed

    setattr(handle_parsing_result, _PATCHED, True)
    DagFileProcessorManager.handle_parsing_result = handle_parsing_result


def drop_no_op_task_callbacks() -> None:
    """Queue no parse for a task callback request the processor would only log (idempotent)."""
    from airflow.callbacks.callback_requests import TaskCallbackRequest
    from airflow.dag_processing.manager import DagFileProcessorManager

    original = DagFileProcessorManager._add_callback_to_queue
    if getattr(original, _PATCHED, False):
        return

    @functools.wraps(original)
    def _add_callback_to_queue(self: Any, request: Any) -> None:
        if isinstance(request, TaskCallbackRequest) and not request.is_failure_callback:
            return  # the processor runs no callback for a success: nothing to parse for
        original(self, request)

    setattr(_add_callback_to_queue, _PATCHED, True)
    DagFileProcessorManager._add_callback_to_queue = _add_callback_to_queue


def dag_inputs() -> list[Path]:
    """The files besides the DAG files that the platform's DAGs are built from."""
    from ol_platform.sources.registry import registry_path
    from ol_platform.transform.project import MANIFEST_PATH

    return [registry_path(), MANIFEST_PATH]


def newest_change(paths: Iterable[Path]) -> datetime | None:
    """When the most recently modified of ``paths`` changed (missing files ignored)."""
    stamps = []
    for path in paths:
        try:
            stamps.append(os.path.getmtime(path))
        except OSError:
            continue
    return datetime.fromtimestamp(max(stamps), tz=UTC) if stamps else None


def reparse_when_inputs_change(inputs: Callable[[], list[Path]] = dag_inputs) -> None:
    """Count every DAG file as changed once ``inputs()`` changed after its last parse
    (idempotent)."""
    from airflow.dag_processing.manager import DagFileProcessorManager

    original = DagFileProcessorManager._sort_by_mtime
    if getattr(original, _PATCHED, False):
        return

    @functools.wraps(original)
    def _sort_by_mtime(self: Any, files: Any) -> tuple[list, set]:
        ordered, changed = original(self, files)
        changed_at = newest_change(inputs())
        if changed_at is None:
            return ordered, changed
        stats = {file.presence_key: stat for file, stat in self._file_stats.items()}
        for file in ordered:
            parsed_at = getattr(stats.get(file.presence_key), "last_finish_time", None)
            if parsed_at is not None and parsed_at < changed_at:
                changed.add(file)
        return ordered, changed

    setattr(_sort_by_mtime, _PATCHED, True)
    DagFileProcessorManager._sort_by_mtime = _sort_by_mtime


def install() -> None:
    keep_parse_time_after_callbacks()
    drop_no_op_task_callbacks()
    reparse_when_inputs_change()


def main(argv: list[str] | None = None) -> None:
    install()
    run("dag-processor", argv)


if __name__ == "__main__":
    main()
