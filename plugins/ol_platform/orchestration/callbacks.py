"""Callbacks shared by every DAG of the platform."""

from __future__ import annotations

import logging

log = logging.getLogger("ol_platform.alerts")


def on_task_failure(context) -> None:
    """One operator-facing line per failed try: where, which try, and why."""
    ti = context["ti"]
    log.error(
        "FAILED %s.%s (run %s, try %s of %s): %s",
        ti.dag_id,
        ti.task_id,
        context.get("run_id"),
        ti.try_number,
        (ti.max_tries or 0) + 1,
        context.get("exception"),
    )
