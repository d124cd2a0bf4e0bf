"""Every failed try of every task of a demo, with the line that says why.

A run's final state hides a task that failed on try 1 and passed on try 2 (the grid shows it
green); the demo's summary lists such tries too. The task instances come from the Airflow
REST API in one listing; only those that were retried or failed cost a call for their tries
(``.../taskInstances/{task}/tries``) and one per failed try for its log.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

# A try that ended in one of these failed; history rows of a retried try say "failed".
FAILED_TRY_STATES = ("failed", "up_for_retry")
_ERROR_LEVELS = ("error", "critical", "exception")
_MAX_ERROR = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# dbt's summary of a failed node: "Runtime Error in model <name> (<path>)", then its cause.
_DBT_NODE = re.compile(r"\bError in (?:model|test|seed|snapshot) (\w+)")
_DBT_ERROR = re.compile(r"\b(?:Catalog|Binder|Parser|Conversion|Database|Compilation) Error: .+")


@dataclass(frozen=True)
class FailedTry:
    dag_id: str
    run_id: str
    task_id: str
    try_number: int
    final_state: str  # the task instance's state now: "success" when a later try passed
    error: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def error_line(log: list[dict | str]) -> str:
    """The line of a try's log that says why it failed.

    The raised exception's type and message when the log carries one (the task runner logs it
    with ``error_detail``; the callbacks' lines after it say less), else the last error-level
    line, else the last line.
    """
    raised = last_error = last_line = ""
    for entry in log:
        if isinstance(entry, str):
            last_line = entry.strip() or last_line
            continue
        event = str(entry.get("event") or "").strip()
        details = entry.get("error_detail") or []
        if details:
            exc = details[0]  # the exception raised; its causes follow
            raised = f"{exc.get('exc_type', 'Error')}: {exc.get('exc_value', '')}".strip()
            raised = raised.rstrip(":")
        elif str(entry.get("level", "")).lower() in _ERROR_LEVELS and event:
            last_error = event
        if event:
            last_line = event
    message = raised or last_error or last_line or "(no log)"
    line = next((part.strip() for part in message.splitlines() if part.strip()), message)
    dbt = dbt_error(log)
    if dbt:  # "dbt command failed" says less than dbt's own line
        line = f"{dbt} ({line})"
    return line if len(line) <= _MAX_ERROR else line[: _MAX_ERROR - 3] + "..."


def dbt_error(log: list[dict | str]) -> str:
    """dbt's own error line in a try's log (``<model>: Catalog Error: ...``), if any."""
    node = ""
    for entry in log:
        text = entry if isinstance(entry, str) else str(entry.get("event") or "")
        for part in _ANSI.sub("", text).splitlines():
            if header := _DBT_NODE.search(part):
                node = header.group(1)
            elif found := _DBT_ERROR.search(part):
                return f"{node}: {found.group(0).strip()}" if node else found.group(0).strip()
    return ""


def candidates(task_instances: list[dict]) -> list[dict]:
    """The task instances that may have a failed try: retried (try 2 or later) or failed."""
    return [
        ti
        for ti in task_instances
        if (ti.get("try_number") or 0) > 1 or ti.get("state") in FAILED_TRY_STATES
    ]


def collect_failed_tries(api: Any, dag_ids: set[str] | None = None) -> list[FailedTry]:
    """Every failed try of the task instances Airflow holds (of ``dag_ids`` when given)."""
    found: list[FailedTry] = []
    listed = api.all_task_instances()
    for ti in candidates([t for t in listed if dag_ids is None or t["dag_id"] in dag_ids]):
        dag_id, run_id, task_id = ti["dag_id"], ti["dag_run_id"], ti["task_id"]
        map_index = ti.get("map_index", -1)
        for attempt in api.tries(dag_id, run_id, task_id, map_index):
            if attempt.get("state") not in FAILED_TRY_STATES:
                continue
            number = attempt["try_number"]
            try:
                error = error_line(api.task_log(dag_id, run_id, task_id, number, map_index))
            except Exception as exc:  # the log is gone or unreadable: say so, keep the try
                error = f"(log unreadable: {exc})"
            found.append(
                FailedTry(dag_id, run_id, task_id, number, ti.get("state") or "none", error)
            )
    return sorted(found, key=lambda f: (f.dag_id, f.run_id, f.task_id, f.try_number))


def render_failed_tries(tries: list[FailedTry | dict]) -> list[str]:
    """The summary's section: one line per failed try, its error line under it."""
    rows = [FailedTry(**t) if isinstance(t, dict) else t for t in tries]
    if not rows:
        return ["Failed tries: none (no task failed on any try)"]
    recovered = sum(1 for t in rows if t.final_state == "success")
    lines = [
        f"Failed tries: {len(rows)} ({recovered} passed on a later try, "
        f"{len(rows) - recovered} did not)"
    ]
    for t in rows:
        outcome = "later passed" if t.final_state == "success" else f"now {t.final_state}"
        lines.append(f"  {t.dag_id}.{t.task_id} try {t.try_number} ({outcome}) run {t.run_id}")
        lines.append(f"      {t.error}")
    return lines
