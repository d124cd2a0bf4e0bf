"""The platform's scheduler decides a DAG run again only when one of its task instances changed
(or after ``full_every`` seconds, or while a task waits for a retry time): deciding runs whose
hundreds of deferred model tasks had not moved took most of Airflow's scheduler CPU.

The fingerprint is read from a real metadata table (SQLite, Airflow's own ``task_instance``
schema); the decision itself is Airflow's, counted here. The end-to-end tests in
``tests/e2e/test_model_rendering.py`` run the patched scheduler through failures, clears and
retries.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from ol_platform.orchestration import scheduler
from ol_platform.orchestration.scheduler import fingerprint, skip_unchanged_runs


@pytest.fixture
def session():
    from airflow.models import import_all_models
    from airflow.models.taskinstance import TaskInstance as TI

    import_all_models()  # the tables task_instance's foreign keys name
    engine = create_engine("sqlite://")
    TI.metadata.create_all(engine, tables=[TI.__table__])
    with Session(engine) as session:
        yield session


def add_task(session: Session, run: SimpleNamespace, task_id: str, state: str | None) -> None:
    from airflow.models.taskinstance import TaskInstance as TI

    session.execute(
        TI.__table__.insert().values(
            id=uuid.uuid4(), dag_id=run.dag_id, run_id=run.run_id, task_id=task_id,
            map_index=-1, state=state, try_number=0, pool="default_pool", pool_slots=1,
            priority_weight=1, max_tries=0, hostname="", unixname="", queue="default",
            custom_operator_name="", dag_version_id=uuid.uuid4(),
            updated_at=datetime.now(UTC),
        )
    )  # fmt: skip


def set_state(session: Session, run: SimpleNamespace, task_id: str, state: str) -> None:
    from airflow.models.taskinstance import TaskInstance as TI

    session.execute(
        update(TI)
        .where(TI.dag_id == run.dag_id, TI.run_id == run.run_id, TI.task_id == task_id)
        .values(state=state)
    )


@pytest.fixture
def run(session):
    dag_run = SimpleNamespace(
        id=1, dag_id="transform", run_id="asset_triggered__1", last_scheduling_decision=None
    )
    add_task(session, dag_run, "dbt_producer", "running")
    for i in range(3):
        add_task(session, dag_run, f"mart.model_{i}", "deferred")
    add_task(session, dag_run, "dbt_docs", None)
    other = SimpleNamespace(dag_id="transform", run_id="asset_triggered__2")
    add_task(session, other, "dbt_producer", "queued")
    return dag_run


@pytest.fixture
def decisions(monkeypatch):
    """The scheduler's pass over running DAG runs, patched over stand-ins for Airflow's: the
    pass decides each run it is given (or raises, as a database error does, when told to);
    a decision is counted."""
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from sqlalchemy.exc import OperationalError

    made = []

    def schedule_all(self, guard, dag_runs, session):
        callbacks = [(run, self._schedule_dag_run(run, session=session)) for run in dag_runs]
        if decide.fail:
            raise OperationalError("UPDATE dag_run", {}, Exception("database is locked"))
        return callbacks

    monkeypatch.setattr(
        SchedulerJobRunner, "_schedule_dag_run", lambda self, dag_run, session: made.append(1)
    )
    monkeypatch.setattr(SchedulerJobRunner, "_schedule_all_dag_runs", schedule_all)
    monkeypatch.delattr(SchedulerJobRunner, scheduler._PATCHED, raising=False)
    clock = [100.0]
    monkeypatch.setattr(scheduler.time, "monotonic", lambda: clock[0])
    skip_unchanged_runs(full_every=5.0)
    skip_unchanged_runs()  # idempotent
    runner = SchedulerJobRunner.__new__(SchedulerJobRunner)

    def decide(dag_run, session) -> int:
        """One pass over ``dag_run``; how many decisions were made so far."""
        runner._schedule_all_dag_runs(None, [dag_run], session)
        return len(made)

    decide.clock = clock
    decide.fail = False
    return decide


def test_the_fingerprint_moves_with_any_change_of_the_runs_tasks_only(session, run):
    first = fingerprint(run, session)
    assert first == fingerprint(run, session)
    other = SimpleNamespace(dag_id="transform", run_id="asset_triggered__2")
    set_state(session, other, "dbt_producer", "running")  # another run's task
    assert fingerprint(run, session) == first

    set_state(session, run, "mart.model_0", "success")
    assert fingerprint(run, session) != first

    second = fingerprint(run, session)
    from airflow.models.taskinstance import TaskInstance as TI

    session.execute(update(TI).where(TI.task_id == "mart.model_1").values(try_number=1))
    assert fingerprint(run, session) != second

    third = fingerprint(run, session)
    add_task(session, run, "mart.model_new", None)  # a new DAG version's task
    assert fingerprint(run, session) != third


def test_a_run_is_decided_again_only_when_its_tasks_changed_or_time_passed(session, run, decisions):
    assert decisions(run, session) == 1  # never decided: decided
    assert decisions(run, session) == 1  # nothing changed: skipped
    assert run.last_scheduling_decision is not None  # keeps its place in the queue of runs

    set_state(session, run, "mart.model_0", "success")  # a model task ended in the triggerer
    assert decisions(run, session) == 2
    assert decisions(run, session) == 2

    decisions.clock[0] += 5.0  # the longest a run goes undecided
    assert decisions(run, session) == 3
    assert decisions(run, session) == 3

    other = SimpleNamespace(id=2, dag_id="transform", run_id="asset_triggered__2")
    assert decisions(other, session) == 4  # each run has its own record


def test_a_run_waiting_for_a_retry_time_is_decided_on_every_pass(session, run, decisions):
    set_state(session, run, "mart.model_2", "up_for_retry")
    assert decisions(run, session) == 1
    assert decisions(run, session) == 2
    assert decisions(run, session) == 3


def test_a_pass_rolled_back_by_a_database_error_decides_its_runs_again(session, run, decisions):
    from sqlalchemy.exc import OperationalError

    decisions.fail = True
    with pytest.raises(OperationalError):
        decisions(run, session)
    decisions.fail = False
    # The rolled-back decision does not count: Airflow's retry of the pass decides again.
    assert decisions(run, session) == 2
    assert decisions(run, session) == 2
