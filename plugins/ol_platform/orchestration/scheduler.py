"""``airflow scheduler`` that does not re-decide a DAG run in which nothing has changed.

On every pass of its loop (several a second while tasks are deferred) Airflow's scheduler
loads every task instance of every running DAG run as ORM objects and evaluates the
dependencies of each unfinished one (``DagRun.update_state``). A transform run of the
``models`` rendering keeps hundreds of model tasks waiting in the triggerer for minutes, so
the scheduler spent most of its CPU deciding, again and again, that nothing could start:
measured with py-spy on a 700-model landing, ``update_state`` was 26 of the scheduler's
30 CPU seconds, on a 2-core machine where dbt needed those cores.

``skip_unchanged_runs(full_every)``: before deciding a run, the scheduler reads a fingerprint
of its task instances (per state: how many, the latest update, the sum of tries; one
grouped query, no ORM objects). When it equals the fingerprint of the run's last decision,
made less than ``full_every`` seconds ago, the decision would be the same and is skipped.
What can change a decision without changing the run's task instances is bounded by
``full_every``: the DAG's new version, the run's timeout, ``depends_on_past`` on another
run. Runs holding a task in ``up_for_retry`` or ``up_for_reschedule`` (waiting for a time,
not an event) are decided on every pass, as Airflow does.
"""

from __future__ import annotations

import time
from typing import Any

from ol_platform.orchestration.airflow_command import run

# The longest a run in which no task instance changed goes without a full decision.
FULL_EVERY = 5.0
# Task states that become schedulable with time alone.
TIMED_STATES = frozenset({"up_for_retry", "up_for_reschedule"})
# Decisions remembered (one per running DAG run; older runs are forgotten first).
MEMORY = 2048
_PATCHED = "_olp_skips_unchanged_runs"


def fingerprint(dag_run: Any, session: Any) -> frozenset:
    """Per task state of ``dag_run``: (state, count, latest update, summed tries)."""
    from airflow.models.taskinstance import TaskInstance as TI
    from sqlalchemy import func, select

    rows = session.execute(
        select(TI.state, func.count(), func.max(TI.updated_at), func.sum(TI.try_number))
        .where(TI.dag_id == dag_run.dag_id, TI.run_id == dag_run.run_id)
        .group_by(TI.state)
    )
    return frozenset(tuple(row) for row in rows)


def skip_unchanged_runs(full_every: float = FULL_EVERY) -> None:
    from airflow._shared.timezones import timezone
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from cachetools import LRUCache

    if getattr(SchedulerJobRunner, _PATCHED, False):
        return
    decide = SchedulerJobRunner._schedule_dag_run
    decide_all = SchedulerJobRunner._schedule_all_dag_runs
    # Each run's fingerprint at its last decision, and when that was.
    decisions: LRUCache = LRUCache(maxsize=MEMORY)
    # Decisions of the pass under way: they count once the pass has committed (a database
    # error rolls the pass back and Airflow runs it again, deciding every run anew).
    pending: dict[Any, tuple[frozenset, float]] = {}

    def _schedule_dag_run(self: Any, dag_run: Any, session: Any) -> Any:
        seen, now = fingerprint(dag_run, session), time.monotonic()
        last_seen, last_at = decisions.get(dag_run.id, (None, float("-inf")))
        waits_for_time = any(str(state) in TIMED_STATES for state, *_ in seen)
        if last_seen == seen and now - last_at < full_every and not waits_for_time:
            # As a decision does: the runs least recently decided come first in the next
            # pass's selection, so a skipped run must not hold its place ahead of others.
            dag_run.last_scheduling_decision = timezone.utcnow()
            return None
        callback = decide(self, dag_run, session)
        pending[dag_run.id] = (seen, now)
        return callback

    def _schedule_all_dag_runs(self: Any, *args: Any, **kwargs: Any) -> Any:
        pending.clear()
        callbacks = decide_all(self, *args, **kwargs)
        decisions.update(pending)
        pending.clear()
        return callbacks

    SchedulerJobRunner._schedule_dag_run = _schedule_dag_run
    SchedulerJobRunner._schedule_all_dag_runs = _schedule_all_dag_runs
    setattr(SchedulerJobRunner, _PATCHED, True)


def main(argv: list[str] | None = None) -> None:
    skip_unchanged_runs()
    run("scheduler", argv)


if __name__ == "__main__":
    main()
