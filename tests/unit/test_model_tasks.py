"""The ``models`` rendering: one task per dbt model, ended from the triggerer by the producer's
results, or handed to a worker to rerun the model."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from airflow.triggers.base import (
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)

from ol_platform.transform.model_tasks import ModelResultTrigger

MODEL = "model.ol_dbt.dim_course_run"
TESTS = ["test.ol_dbt.unique_dim_course_run_id.1", "test.ol_dbt.not_null_dim_course_run_id.2"]


def _run(
    trigger: ModelResultTrigger,
    xcoms: dict,
    producer: str | None,
    try_number: int = 1,
    wait: float = 5,
):
    trigger.task_instance = SimpleNamespace(
        dag_id="transform", run_id="r1", try_number=try_number, task_id="dimensional.x"
    )

    async def xcom(key):
        return xcoms.get(key)

    async def producer_state():
        return producer

    async def rebuilt(task_id):
        return bool(xcoms.get(f"{task_id}:rebuilt"))

    trigger._xcom = xcom
    trigger._producer_state = producer_state
    trigger._rebuilt = rebuilt
    trigger.poke_interval = 0.01

    async def first():
        async for event in trigger.run():
            return event

    return asyncio.run(asyncio.wait_for(first(), wait))


def key(uid: str, suffix: str) -> str:
    return f"{uid.replace('.', '__')}_{suffix}"


def passed(*extra):
    return {
        key(MODEL, "status"): {"status": "success"},
        key(MODEL, "tests_status"): "pass",
        key(MODEL, "result"): {
            "status": "success",
            "lines": ["1 of 9 OK created sql iceberg_table model dim_course_run"],
        },
        key(MODEL, "compiled_sql"): "select 1",
        **{key(t, "result"): {"status": "pass", "lines": [f"PASS {t}"]} for t in TESTS},
        **dict(extra),
    }


def test_a_model_whose_build_and_tests_passed_ends_without_a_worker():
    event = _run(ModelResultTrigger(MODEL, TESTS), passed(), producer="running")
    assert isinstance(event, TaskSuccessEvent)


@pytest.mark.parametrize(
    "override",
    [
        {key(MODEL, "status"): {"status": "error"}},
        {key(MODEL, "tests_status"): "fail", key(TESTS[1], "result"): {"status": "fail"}},
    ],
    ids=["model-error", "test-failed"],
)
def test_a_failed_model_or_test_fails_the_task(override):
    event = _run(ModelResultTrigger(MODEL, TESTS), passed(*override.items()), producer="running")
    assert isinstance(event, TaskFailedEvent)


def test_it_waits_for_the_tests_before_judging_a_built_model():
    xcoms = passed()
    del xcoms[key(MODEL, "tests_status")]
    trigger = ModelResultTrigger(MODEL, TESTS)
    with pytest.raises(TimeoutError):
        _run(trigger, xcoms, producer="running", wait=0.5)


@pytest.mark.parametrize("try_number", [2, 3])
def test_a_retry_or_clear_reruns_the_model_on_a_worker(try_number):
    event = _run(ModelResultTrigger(MODEL, TESTS), passed(), "success", try_number=try_number)
    assert type(event) is TriggerEvent and event.payload["rerun"] is True


@pytest.mark.parametrize("producer", ["success", "failed", "skipped", "upstream_failed"])
def test_a_planned_model_the_producer_never_reported_fails_for_a_retry_to_build_it(producer):
    plan = {"plan": {"selected": ["dim_course_run"], "excluded": {}}}
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), plan, producer), TaskFailedEvent)
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), {}, producer), TaskFailedEvent)


def test_a_model_left_out_of_the_plan_is_skipped_with_the_reason(caplog):
    reason = "its inputs have never landed: raw__x"
    plan = {"plan": {"selected": ["other"], "excluded": {"dim_course_run": reason}}}
    trigger = ModelResultTrigger(MODEL, TESTS)
    assert isinstance(_run(trigger, plan, producer="running"), TaskSkippedEvent)


def test_outside_a_conf_selector_a_model_is_skipped_once_the_producer_ends():
    plan = {"plan": {"selected": None, "excluded": {}}}
    trigger = ModelResultTrigger(MODEL, TESTS)
    assert isinstance(_run(trigger, plan, producer="success"), TaskSkippedEvent)
    with pytest.raises(TimeoutError):  # while dbt still runs, it may yet build it
        _run(ModelResultTrigger(MODEL, TESTS), plan, producer="running", wait=0.5)


def test_a_model_whose_parent_was_rebuilt_after_the_producer_reruns():
    """Clearing a failed model "with downstream": the producer's result for the model below it
    (failed: its parent had failed) is older than its rebuilt input."""
    xcoms = passed((key(MODEL, "status"), {"status": "failed"}), ("intermediate.p:rebuilt", True))
    trigger = ModelResultTrigger(MODEL, TESTS, parent_task_ids=["intermediate.p", "x.q"])
    event = _run(trigger, xcoms, producer="success")
    assert type(event) is TriggerEvent and event.payload["rerun"] is True
    untouched = ModelResultTrigger(MODEL, TESTS, parent_task_ids=["x.q"])
    assert isinstance(_run(untouched, xcoms, producer="success"), TaskFailedEvent)


def test_a_model_dbt_skipped_is_rerun_once_its_inputs_exist():
    xcoms = {key(MODEL, "status"): {"status": "skipped"}}
    event = _run(ModelResultTrigger(MODEL, TESTS), xcoms, producer="success")
    assert type(event) is TriggerEvent and event.payload["rerun"] is True


def test_the_trigger_round_trips_through_serialisation():
    classpath, kwargs = ModelResultTrigger(MODEL, TESTS, poke_interval=2).serialize()
    assert classpath == "ol_platform.transform.model_tasks.ModelResultTrigger"
    assert ModelResultTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_the_transform_dag_renders_a_task_per_model_in_layer_groups(settings, monkeypatch):
    from ol_platform.orchestration.transform_dag import TRANSFORM_LAYERS, build_transform_dag
    from ol_platform.transform.project import load_graph

    dag = build_transform_dag(settings, render="models")
    models = load_graph().in_layers(TRANSFORM_LAYERS)
    ids = {t.task_id for t in dag.tasks}
    assert {f"{m.layer}.{m.name}" for m in models} <= ids
    assert ids - {f"{m.layer}.{m.name}" for m in models} == {"dbt_producer", "dbt_docs"}
    by_name = {m.name: m for m in models}
    for model in models:
        task = dag.get_task(f"{model.layer}.{model.name}")
        assert task.start_from_trigger is True
        kwargs = task.start_trigger_args.trigger_kwargs
        assert kwargs["test_unique_ids"] == list(model.tests)
        # dbt's order: a model's task waits for the tasks of the models it reads.
        parents = {f"{by_name[p].layer}.{p}" for p in model.parents if p in by_name}
        assert task.upstream_task_ids == parents == set(kwargs["parent_task_ids"])
        assert [a.uri for a in task.outlets] == [
            f"iceberg://ol-lake/ol_warehouse_local_{model.layer}/{model.name}"
        ]
    producer = dag.get_task("dbt_producer")
    assert producer.retries == 0 and producer.upstream_task_ids == set()
    assert producer.plan_from_events is True
    assert {dag.get_task(f"{m.layer}.{m.name}").trigger_rule for m in models} == {"none_failed"}
    assert type(producer.outlets[0]).__name__ == "AssetAlias"
    assert set(producer.model_assets) == {m.unique_id for m in models}


def test_the_tests_judged_are_those_the_plan_runs_with_the_model():
    """A test that reads a model this run leaves out is not run, and not counted as failed."""
    xcoms = passed()
    del xcoms[key(TESTS[1], "result")]
    xcoms["plan"] = {
        "selected": ["dim_course_run"],
        "excluded": {},
        "tests": {"dim_course_run": TESTS[:1]},
    }
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), xcoms, "success"), TaskSuccessEvent)
    xcoms["plan"]["tests"]["dim_course_run"] = TESTS
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), xcoms, "success"), TaskFailedEvent)
