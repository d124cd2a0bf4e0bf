"""The platform's triggerer deserializes each DAG version once per process: Airflow's did it twice
per trigger started (supervisor and runner), so starting a DAG's model tasks grew with the
square of its size."""

from __future__ import annotations

import datetime
import uuid

import pytest

from ol_platform.orchestration.triggerer import reuse_deserialized_dags

stored_rows: dict[uuid.UUID, dict] = {}
rows_read: list[uuid.UUID] = []


@pytest.fixture
def patched(monkeypatch):
    from airflow.jobs.triggerer_job_runner import TriggerRunner
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.serialization.serialized_objects import DagSerialization

    # The patch replaces class attributes: undo them after each test, and count the real work.
    for cls, name in (
        (SerializedDagModel, "dag"),
        (DagSerialization, "from_dict"),
        (TriggerRunner, "create_runtime_ti"),
    ):
        monkeypatch.setattr(cls, name, cls.__dict__[name])
    monkeypatch.delattr(SerializedDagModel, "_olp_reused_dags", raising=False)
    calls = []
    deserialize = DagSerialization.deserialize_dag.__func__

    def counted(cls, *args, **kwargs):
        calls.append(1)
        return deserialize(cls, *args, **kwargs)

    monkeypatch.setattr(DagSerialization, "deserialize_dag", classmethod(counted))
    # Airflow's reader of a version's serialized_dag row, over stored_rows, counting its reads.
    from airflow.models.dagbag import DBDagBag
    from airflow.serialization.serialized_objects import LazyDeserializedDAG

    def read_row(self, version_id, session):
        rows_read.append(version_id)
        data = stored_rows.get(version_id)
        return data and SerializedDagModel(LazyDeserializedDAG(data=data))

    monkeypatch.setattr(DBDagBag, "get_serialized_dag_model", read_row)
    stored_rows.clear()
    rows_read.clear()
    reuse_deserialized_dags()
    reuse_deserialized_dags()  # idempotent
    return calls


def _serialized(dag_id: str, tasks: int) -> dict:
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
    from airflow.serialization.serialized_objects import DagSerialization

    with DAG(dag_id, schedule=None, start_date=datetime.datetime(2024, 1, 1)) as dag:
        for i in range(tasks):
            EmptyOperator(task_id=f"t{i}")
    return DagSerialization.to_dict(dag)


def test_the_supervisor_deserializes_a_dag_version_once(patched):
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.serialization.serialized_objects import LazyDeserializedDAG

    data = _serialized("d", 3)
    first, again = (SerializedDagModel(LazyDeserializedDAG(data=data)) for _ in range(2))
    assert first.dag is again.dag and first.dag.get_task("t2").task_id == "t2"
    assert len(patched) == 1
    changed = SerializedDagModel(LazyDeserializedDAG(data=_serialized("d", 4)))
    assert changed.dag is not first.dag and changed.dag.get_task("t3")
    assert len(patched) == 2


def test_the_runner_deserializes_the_dag_sent_with_its_triggers_once_per_version(patched):
    from airflow.executors.workloads.task import TaskInstanceDTO
    from airflow.jobs.triggerer_job_runner import TriggerRunner

    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    run = {
        "dag_id": "d",
        "run_id": "r1",
        "logical_date": now,
        "data_interval_start": now,
        "data_interval_end": now,
        "run_after": now,
        "start_date": now,
        "end_date": None,
        "run_type": "manual",
        "state": "running",
        "consumed_asset_events": [],
        "partition_key": None,
    }

    def runtime_ti(task_id: str, version: uuid.UUID, data: dict):
        ti = TaskInstanceDTO(
            id=uuid.uuid4(),
            task_id=task_id,
            dag_id="d",
            run_id="r1",
            try_number=1,
            dag_version_id=version,
            pool_slots=1,
            queue="default",
            priority_weight=1,
        )
        return TriggerRunner.create_runtime_ti(ti, data, run)

    v1, v2 = uuid.uuid4(), uuid.uuid4()
    a, b = runtime_ti("t0", v1, _serialized("d", 3)), runtime_ti("t1", v1, _serialized("d", 3))
    assert (a.task.task_id, b.task.task_id) == ("t0", "t1") and a.task.dag is b.task.dag
    assert len(patched) == 1
    # A new version of the DAG is deserialized anew.
    c = runtime_ti("t3", v2, _serialized("d", 4))
    assert c.task.task_id == "t3" and len(patched) == 2


def test_the_supervisor_reads_a_dag_versions_row_once(patched):
    from airflow.models.dagbag import DBDagBag

    v1, v2, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    stored_rows.update({v1: _serialized("d", 3), v2: _serialized("d", 4)})
    bag = DBDagBag()
    rows = [bag.get_serialized_dag_model(version_id=v, session=None) for v in (v1, v1, v2, v1)]
    assert rows_read == [v1, v2]
    assert rows[0] is rows[1] is rows[3] and rows[0].data == stored_rows[v1]
    assert rows[0].dag.get_task("t2") and rows[2].dag.get_task("t3")
    assert rows[0].dag is not rows[2].dag and len(patched) == 2
    # A version that has no row is asked for again (it may be written meanwhile).
    assert bag.get_serialized_dag_model(version_id=gone, session=None) is None
    assert bag.get_serialized_dag_model(version_id=gone, session=None) is None
    assert rows_read == [v1, v2, gone, gone]
