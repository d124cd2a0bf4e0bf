"""The ``models`` rendering: one task per dbt model, ended from the triggerer by the producer's
results, or handed to a worker to rerun the model."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from types import SimpleNamespace

import pytest
from airflow.triggers.base import (
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)

from ol_platform.orchestration.transform_dag import TRANSFORM_SELECT
from ol_platform.transform import model_tasks
from ol_platform.transform.model_tasks import ModelResultTrigger, VerdictBook, _keep_node_lines

MODEL = "model.ol_dbt.dim_course_run"


@pytest.fixture(autouse=True)
def _fresh_views():
    """Each test's run starts unread: a final view of the same run id outlives its tasks."""
    model_tasks._VIEWS.clear()
    yield
    model_tasks._VIEWS.clear()


TESTS = ["test.ol_dbt.unique_dim_course_run_id.1", "test.ol_dbt.not_null_dim_course_run_id.2"]


async def _judged(
    trigger: ModelResultTrigger, xcoms: dict, producer: str | None, try_number: int = 1
):
    """The first event of the trigger, with the producer's XComs and state given."""
    trigger.task_instance = SimpleNamespace(
        dag_id="transform", run_id="r1", try_number=try_number, task_id="dimensional.x"
    )

    async def xcom(key):
        return xcoms.get(key)

    async def producer_state():
        return producer

    trigger._xcom = xcom
    trigger._producer_state = producer_state
    trigger.poke_interval = 0.01
    async for event in trigger.run():
        return event


def _run(
    trigger: ModelResultTrigger,
    xcoms: dict,
    producer: str | None,
    try_number: int = 1,
    wait: float = 5,
):
    return asyncio.run(asyncio.wait_for(_judged(trigger, xcoms, producer, try_number), wait))


def key(uid: str, suffix: str) -> str:
    return f"{uid.replace('.', '__')}_{suffix}"


def passed(*extra, model_status="success", test_status="pass"):
    return {
        "verdicts": {MODEL: {"status": model_status, "tests": dict.fromkeys(TESTS, test_status)}},
        key(MODEL, "log"): {
            "lines": ["1 of 9 OK created sql iceberg_table model dim_course_run"],
            "tests": {t: [f"PASS {t}"] for t in TESTS},
            "compiled_sql": "select 1",
        },
        **dict(extra),
    }


def test_a_model_whose_build_and_tests_passed_ends_without_a_worker(capsys):
    event = _run(ModelResultTrigger(MODEL, TESTS), passed(), producer="running")
    assert isinstance(event, TaskSuccessEvent)
    # The task's log is the model's own dbt lines, its tests' and its compiled SQL.
    out = capsys.readouterr().out
    assert "1 of 9 OK created sql iceberg_table model dim_course_run" in out
    assert f"PASS {TESTS[1]}" in out and "select 1" in out


@pytest.mark.parametrize(
    "verdict",
    [
        {"status": "error", "tests": {}},
        {"status": "success", "tests": {TESTS[0]: "pass", TESTS[1]: "fail"}},
        {"status": "success", "tests": {TESTS[0]: "pass", TESTS[1]: None}},
    ],
    ids=["model-error", "test-failed", "test-never-reported"],
)
def test_a_failed_model_or_test_fails_the_task(verdict):
    xcoms = passed(("verdicts", {MODEL: verdict}))
    event = _run(ModelResultTrigger(MODEL, TESTS), xcoms, producer="running")
    assert isinstance(event, TaskFailedEvent)


def test_it_waits_for_the_producer_s_verdict():
    xcoms = passed(("verdicts", {"model.ol_dbt.other": {"status": "success", "tests": {}}}))
    with pytest.raises(TimeoutError):
        _run(ModelResultTrigger(MODEL, TESTS), xcoms, producer="running", wait=0.5)


@pytest.mark.parametrize("try_number", [2, 3])
def test_a_retry_or_clear_reruns_the_model_on_a_worker(try_number):
    event = _run(ModelResultTrigger(MODEL, TESTS), passed(), "success", try_number=try_number)
    assert type(event) is TriggerEvent and event.payload["rerun"] is True


@pytest.mark.parametrize("producer", ["success", "failed", "skipped", "upstream_failed"])
def test_a_planned_model_the_producer_never_reported_fails_for_a_retry_to_build_it(producer):
    plan = {"plan": {"selected": ["dim_course_run"], "excluded": {}}}
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), plan, producer), TaskFailedEvent)
    assert isinstance(_run(ModelResultTrigger(MODEL, TESTS), {}, producer), TaskFailedEvent)


def test_a_model_left_out_of_the_plan_is_skipped_with_the_reason(capsys):
    reason = "its inputs have never landed: raw__x"
    plan = {"plan": {"selected": ["other"], "excluded": {"dim_course_run": reason}}}
    trigger = ModelResultTrigger(MODEL, TESTS)
    assert isinstance(_run(trigger, plan, producer="running"), TaskSkippedEvent)
    assert reason in capsys.readouterr().out


def test_outside_a_conf_selector_a_model_is_skipped_once_the_producer_ends():
    plan = {"plan": {"selected": None, "excluded": {}}}
    trigger = ModelResultTrigger(MODEL, TESTS)
    assert isinstance(_run(trigger, plan, producer="success"), TaskSkippedEvent)
    model_tasks._VIEWS.clear()  # another run, whose producer still runs
    with pytest.raises(TimeoutError):  # while dbt still runs, it may yet build it
        _run(ModelResultTrigger(MODEL, TESTS), plan, producer="running", wait=0.5)


def test_a_cancelled_trigger_ends_even_when_cancelled_as_its_poll_answers():
    """The triggerer cancels a trigger (its task cleared, or timed out) at any moment; one
    cancelled just as its poll of the producer answered kept polling forever (a unit test
    run hung on it)."""
    trigger = ModelResultTrigger(MODEL, TESTS)
    trigger.task_instance = SimpleNamespace(
        dag_id="transform", run_id="cancelled", try_number=1, task_id="dimensional.x"
    )
    trigger.poke_interval = 0.01

    async def xcom(key):
        return None

    trigger._xcom = xcom

    async def main() -> bool:
        async def judge() -> None:
            async for _ in trigger.run():
                pass

        task = asyncio.ensure_future(judge())

        async def producer_state():
            task.cancel()  # the cancellation arrives as the answer does
            return "running"

        trigger._producer_state = producer_state
        await asyncio.wait([task], timeout=5)
        return task.cancelled()  # before asyncio.run's own cancelling of what is left

    assert asyncio.run(main()), "the trigger swallowed its cancellation and kept polling"
    assert ("transform", "cancelled", "dbt_producer") not in model_tasks._VIEWS


def test_a_model_whose_parent_was_rebuilt_after_the_producer_reruns():
    """Clearing a failed model "with downstream": the producer's result for the model below it
    (skipped: its parent had failed) is older than its rebuilt input."""
    verdicts = {
        "model.ol_dbt.p": {"status": "error", "tests": {}},
        "model.ol_dbt.q": {"status": "success", "tests": {"test.ol_dbt.t.1": "pass"}},
        MODEL: {"status": "error", "tests": {}},
    }
    xcoms = passed(("verdicts", verdicts))
    trigger = ModelResultTrigger(MODEL, TESTS, parent_task_ids=["intermediate.p", "x.q"])
    event = _run(trigger, xcoms, producer="success")
    assert type(event) is TriggerEvent and event.payload["rerun"] is True
    untouched = ModelResultTrigger(MODEL, TESTS, parent_task_ids=["x.q"])
    assert isinstance(_run(untouched, xcoms, producer="success"), TaskFailedEvent)


def test_a_model_the_producer_never_built_below_a_rebuilt_parent_is_built():
    """A cleared child of a model that failed in the producer: dbt never reached the child."""
    xcoms = {"verdicts": {"model.ol_dbt.p": {"status": "error", "tests": {}}}}
    trigger = ModelResultTrigger(MODEL, TESTS, parent_task_ids=["intermediate.p"])
    event = _run(trigger, xcoms, producer="success")
    assert type(event) is TriggerEvent and event.payload["rerun"] is True


def test_a_node_dbt_skipped_gets_its_verdict():
    book = VerdictBook([MODEL], {MODEL: TESTS})
    skipped = json.dumps(
        {
            "info": {"msg": "SKIP"},
            "data": {
                "node_info": {"unique_id": MODEL, "node_status": "skipped", "node_finished_at": ""}
            },
        }
    )
    _keep_node_lines(skipped, {"context": {"ti": _TI()}}, book=book)
    assert book.verdicts[MODEL] == {"status": "skipped", "tests": {}}


def test_a_model_dbt_skipped_below_a_failure_is_skipped_not_built_on_stale_input(capsys):
    """dbt skips a model when a model or test upstream fails in the same build (in another part
    of the transform, say): rebuilt on its own it would pass, on the stale table."""
    xcoms = {"verdicts": {MODEL: {"status": "skipped", "tests": {}}}}
    event = _run(ModelResultTrigger(MODEL, TESTS), xcoms, producer="success")
    assert isinstance(event, TaskSkippedEvent)
    assert "a model or test it reads failed in this build" in capsys.readouterr().out


def test_a_model_task_in_another_dag_reads_the_producer_of_its_run_id(monkeypatch):
    """A part of a split transform: its run has the producer's run id, in the producer's DAG."""
    from airflow.sdk.execution_time import task_runner, xcom

    asked = []

    async def aget_one(**kwargs):
        asked.append(("xcom", kwargs["dag_id"], kwargs["run_id"], kwargs["key"]))
        return passed().get(kwargs["key"])

    class Comms:
        runs = {"r1": {"dbt_producer": "running"}}

        async def asend(self, msg):
            asked.append(("states", msg.dag_id, msg.run_ids[0]))
            return SimpleNamespace(task_states=self.runs)

    monkeypatch.setattr(xcom.XCom, "aget_one", staticmethod(aget_one))
    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", Comms(), raising=False)

    async def judged(trigger: ModelResultTrigger):
        trigger.task_instance = SimpleNamespace(
            dag_id="transform__part_02", run_id="r1", try_number=1, task_id="mart.x"
        )
        trigger.poke_interval = 0.01
        async for event in trigger.run():
            return event

    trigger = ModelResultTrigger(MODEL, TESTS, producer_dag_id="transform")
    assert isinstance(asyncio.run(judged(trigger)), TaskSuccessEvent)
    assert {a[1] for a in asked} == {"transform"} and {a[2] for a in asked} == {"r1"}
    # The part triggered on its own (no producer run of that id): it builds the model alone.
    model_tasks._VIEWS.clear()
    Comms.runs = {}
    event = asyncio.run(judged(ModelResultTrigger(MODEL, TESTS, producer_dag_id="transform")))
    assert type(event) is TriggerEvent and event.payload == {
        "rerun": True,
        "reason": "no producer run",
    }


def test_the_model_tasks_of_a_run_share_one_read_of_the_producer_s_results():
    """Each waiting task polling on its own swamped the triggerer: a run's tasks read the
    verdicts together, so the reads do not grow with the number of models."""
    models = [f"model.ol_dbt.m{i}" for i in range(40)]
    reads: list[str] = []
    verdicts: dict = {}

    async def main():
        triggers = [ModelResultTrigger(m, []) for m in models]
        for t in triggers:
            t.task_instance = SimpleNamespace(
                dag_id="transform", run_id="r1", try_number=1, task_id=t.model_unique_id
            )
            t.poke_interval = 0.05

            async def xcom(key, reads=reads):
                reads.append(key)
                return verdicts if key == "verdicts" else None

            async def producer_state():
                return "running"

            t._xcom, t._producer_state = xcom, producer_state

        async def first(trigger):
            async for event in trigger.run():
                return event

        waiting = [asyncio.create_task(first(t)) for t in triggers]
        await asyncio.sleep(0.3)  # the producer is still building
        verdicts.update({m: {"status": "success", "tests": {}} for m in models})
        return await asyncio.wait_for(asyncio.gather(*waiting), 5)

    events = asyncio.run(main())
    assert all(isinstance(e, TaskSuccessEvent) for e in events)
    polls = reads.count("verdicts")
    assert polls <= 0.6 / 0.05, polls  # one read per interval for the run, not one per task


def test_after_the_producer_ended_the_next_levels_reuse_its_final_verdicts(monkeypatch):
    """After dbt has finished, the run's remaining model tasks start a level at a time, each
    when its parents' tasks have ended: they reuse the verdicts read after the producer ended
    instead of asking again at every level, for FINAL_VIEW_MAX_AGE."""
    parent, child = "model.ol_dbt.int__a", "model.ol_dbt.dim_b"
    asked: list[str] = []
    verdicts = {m: {"status": "success", "tests": {}} for m in (parent, child)}

    async def judged(model: str, producer: str = "success"):
        trigger = ModelResultTrigger(model, [])
        trigger.task_instance = SimpleNamespace(
            dag_id="transform", run_id="r1", try_number=1, task_id=model
        )

        async def xcom(key):
            asked.append(key)
            return verdicts if key == "verdicts" else None

        async def producer_state():
            asked.append("state")
            return producer

        trigger._xcom, trigger._producer_state = xcom, producer_state
        return await asyncio.wait_for(_first(trigger), 5)

    async def main():
        first = await judged(parent)
        read = list(asked)
        second = await judged(child)  # its parent's task has ended: no task of the run waits
        return first, read, second

    first, read, second = asyncio.run(main())
    assert isinstance(first, TaskSuccessEvent) and isinstance(second, TaskSuccessEvent)
    assert read.count("verdicts") == 1
    assert asked.count("verdicts") == 1 and asked.count("state") == 1, asked

    # Too old to reuse, or read while the producer still ran: read again.
    model_tasks._VIEWS.clear()
    asked.clear()
    monkeypatch.setattr(model_tasks, "FINAL_VIEW_MAX_AGE", 0.0)
    asyncio.run(judged(parent))
    asyncio.run(judged(child))
    assert asked.count("verdicts") == 2
    model_tasks._VIEWS.clear()
    asked.clear()
    monkeypatch.setattr(model_tasks, "FINAL_VIEW_MAX_AGE", 5.0)
    asyncio.run(judged(parent, producer="running"))
    asyncio.run(judged(child, producer="running"))
    assert asked.count("verdicts") == 2


def test_while_the_producer_is_queued_its_model_tasks_only_ask_for_its_state_and_less_often():
    """A producer waiting for a worker has no XCom yet: twenty ingest runs' model tasks
    asking for them twice a second each loaded the triggerer for nothing."""
    trigger = ModelResultTrigger(MODEL, TESTS)
    asked: list[str] = []
    state = {"producer": "queued"}

    async def xcom(key):
        asked.append(key)
        return passed().get(key)

    async def producer_state():
        asked.append("state")
        return state["producer"]

    async def main():
        trigger.task_instance = SimpleNamespace(
            dag_id="ingest__x", run_id="r1", try_number=1, task_id="stage.x"
        )
        trigger._xcom, trigger._producer_state = xcom, producer_state
        trigger.poke_interval = 0.01
        judged = asyncio.create_task(_first(trigger))
        await asyncio.sleep(0.6)
        queued = list(asked)
        state["producer"] = "running"
        return queued, await asyncio.wait_for(judged, 5)

    queued, event = asyncio.run(main())
    assert isinstance(event, TaskSuccessEvent)
    assert set(queued) == {"state"}
    assert len(queued) <= 0.6 / (0.01 * model_tasks.IDLE_POKE_FACTOR) + 1, len(queued)


def test_an_unanswered_call_to_the_supervisor_is_abandoned_and_asked_again(monkeypatch, capsys):
    """One lost reply must not hold the run's model tasks (and their triggerer slots) forever."""
    monkeypatch.setattr(model_tasks, "COMMS_TIMEOUT", 0.2)
    calls = {"state": 0}
    hung = asyncio.Event

    async def producer_state():
        calls["state"] += 1
        if calls["state"] == 1:
            await hung().wait()  # the first reply never comes
        return "running"

    async def xcom(key):
        return passed().get(key)

    async def main():
        trigger = ModelResultTrigger(MODEL, TESTS)
        trigger.task_instance = SimpleNamespace(
            dag_id="transform", run_id="r1", try_number=1, task_id="dimensional.x"
        )
        trigger._xcom, trigger._producer_state = xcom, producer_state
        trigger.poke_interval = 0.01
        return await asyncio.wait_for(_first(trigger), 5)

    event = asyncio.run(main())
    assert isinstance(event, TaskSuccessEvent)
    assert calls["state"] >= 2
    assert "no answer from the triggerer's supervisor" in capsys.readouterr().out


async def _first(trigger: ModelResultTrigger):
    async for event in trigger.run():
        return event


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
    assert producer.retries == 1 and producer.upstream_task_ids == set()
    assert producer.plan_from_events is True
    assert {dag.get_task(f"{m.layer}.{m.name}").trigger_rule for m in models} == {"none_failed"}
    assert type(producer.outlets[0]).__name__ == "AssetAlias"
    assert set(producer.model_assets) == {m.unique_id for m in models}
    assert producer.model_task_ids == {m.unique_id: f"{m.layer}.{m.name}" for m in models}
    # A test on several rendered models names, on each model's task, the other models.
    graph = load_graph()
    shared = 0
    for model in models:
        partners = dag.get_task(f"{model.layer}.{model.name}").test_partners
        for test in model.tests:
            others = [
                p.split(".")[-1]
                for p in graph.test_parents[test]
                if p != model.unique_id and p.split(".")[-1] in by_name
            ]
            assert partners.get(test, []) == [(by_name[o].layer, o) for o in others]
            shared += bool(others)
    assert shared  # the project has such tests


class _TI:
    def __init__(self):
        self.pushed: list[tuple[str, object]] = []

    def xcom_push(self, key, value):
        self.pushed.append((key, copy.deepcopy(value)))


def _line(uid: str, status: str | None = None, msg: str = "") -> str:
    node = {"unique_id": uid}
    if status:
        node.update(node_status=status, node_finished_at="2026-01-01T00:00:00")
    return json.dumps({"info": {"msg": msg or f"{uid} {status}"}, "data": {"node_info": node}})


def test_the_producer_judges_a_model_once_its_tests_have_run(monkeypatch):
    from ol_platform.transform import model_tasks

    monkeypatch.setattr(model_tasks, "POKE_INTERVAL", 0)
    other = "model.ol_dbt.int__x"
    book = VerdictBook([MODEL, other], {MODEL: TESTS})
    ti = _TI()

    def feed(*lines):
        for line in lines:
            _keep_node_lines(line, {"context": {"ti": ti}}, book=book)

    feed(_line(MODEL, msg="START dim_course_run"), _line(MODEL, "success"), _line(TESTS[0], "pass"))
    assert MODEL not in book.verdicts  # one test still runs
    feed(_line(TESTS[1], "fail"), _line(other, "error"))
    assert book.verdicts[MODEL] == {
        "status": "success",
        "tests": {TESTS[0]: "pass", TESTS[1]: "fail"},
    }
    assert book.verdicts[other] == {"status": "error", "tests": {}}
    logs = dict(ti.pushed)
    assert logs[key(MODEL, "log")]["lines"][0] == "START dim_course_run"
    assert logs[key(MODEL, "log")]["tests"][TESTS[1]] == [f"{TESTS[1]} fail"]
    assert ti.pushed[-1] == ("verdicts", book.verdicts)


def test_a_test_of_two_models_completes_both_verdicts(monkeypatch):
    from ol_platform.transform import model_tasks

    monkeypatch.setattr(model_tasks, "POKE_INTERVAL", 0)
    other, shared = "model.ol_dbt.int__x", "test.ol_dbt.relationships_x.3"
    book = VerdictBook([MODEL, other], {MODEL: [shared], other: [shared]})
    ti = _TI()
    for line in (_line(MODEL, "success"), _line(other, "success"), _line(shared, "pass")):
        _keep_node_lines(line, {"context": {"ti": ti}}, book=book)
    assert set(book.verdicts) == {MODEL, other}


def test_the_producer_pushes_the_verdicts_at_most_every_interval_and_all_at_its_end():
    models = [f"model.ol_dbt.m{i}" for i in range(50)]
    book = VerdictBook(models, {models[0]: ["test.ol_dbt.never_ran.1"]})
    ti = _TI()
    for m in models:
        _keep_node_lines(_line(m, "success"), {"context": {"ti": ti}}, book=book)
    pushes = [v for k, v in ti.pushed if k == "verdicts"]
    assert 1 <= len(pushes) < 5  # not one per model
    book.flush(ti, final=True)
    final = ti.pushed[-1]
    assert final[0] == "verdicts" and set(final[1]) == set(models)
    # A test that never reported is judged at the end, as no result.
    assert final[1][models[0]]["tests"] == {"test.ol_dbt.never_ran.1": None}


def test_the_producer_logs_dbt_lines_and_gives_each_model_log_its_compiled_sql(
    tmp_path, caplog, monkeypatch
):
    from cosmos.operators._watcher import base as cosmos_watcher

    # Earlier tests' logging setups (libraries configure logging on import) may have disabled
    # the producer's logger, stopped its propagation or logging as a whole: listen on it.
    producer_log = cosmos_watcher.logger
    monkeypatch.setattr(producer_log, "disabled", False)
    monkeypatch.setattr(producer_log, "handlers", [caplog.handler])
    monkeypatch.setattr(logging.root.manager, "disable", logging.NOTSET)
    compiled = tmp_path / "target" / "compiled" / "ol_dbt" / "models" / "dimensional"
    compiled.mkdir(parents=True)
    (compiled / "dim_course_run.sql").write_text("select 1 as course_run\n")
    book = VerdictBook([MODEL], {MODEL: []})
    ti = _TI()
    finished = json.loads(_line(MODEL, "success", msg="1 of 1 OK created dim_course_run"))
    finished["data"]["node_info"].update(
        resource_type="model", node_path="dimensional/dim_course_run.sql"
    )
    extra = {"context": {"ti": ti}, "project_dir": str(tmp_path)}
    with caplog.at_level(logging.INFO, logger=producer_log.name):
        _keep_node_lines("Going to open a browser", extra, book=book)
        _keep_node_lines(json.dumps(finished), extra, book=book)
    assert "1 of 1 OK created dim_course_run" in caplog.text
    assert "Going to open a browser" in caplog.text
    (node_log,) = [v for k, v in ti.pushed if k == key(MODEL, "log")]
    assert node_log["compiled_sql"] == "select 1 as course_run"
    assert node_log["lines"] == ["1 of 1 OK created dim_course_run"]
    # Cosmos's per-node XComs are not pushed: the model tasks read only the book's.
    assert {k for k, _ in ti.pushed} <= {key(MODEL, "log"), "verdicts"}


def _transform_producer(settings):
    from ol_platform.orchestration.transform_dag import build_transform_dag

    dag = build_transform_dag(settings, render="models")
    return dag, dag.get_task("dbt_producer")


class _RunTI(_TI):
    def __init__(self, try_number):
        super().__init__()
        self.try_number, self.dag_id, self.run_id = try_number, "transform", "r1"


def _producer_run(producer, monkeypatch, try_number, states):
    """Run the producer's ``execute`` with dbt replaced by a record of what it was asked."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    from ol_platform.transform.run_plan import RunPlan

    names = [uid.split(".")[-1] for uid in producer.model_assets]
    asked = {}
    monkeypatch.setattr(producer, "plan", lambda context: (RunPlan(selected=names), {}))
    monkeypatch.setattr(
        RuntimeTaskInstance,
        "get_task_states",
        staticmethod(lambda **kw: {kw["run_ids"][0]: {t: states.get(t) for t in kw["task_ids"]}}),
    )

    def operator(**kwargs):
        asked.update(kwargs)
        producer.book = VerdictBook(list(producer.model_assets), kwargs["tests_per_model"])
        return SimpleNamespace(execute=lambda context: asked.update(ti=context["ti"]))

    monkeypatch.setattr(producer, "cosmos_operator", operator)
    ti = _RunTI(try_number)
    producer.execute({"ti": ti, "outlet_events": {}})
    return asked, dict(ti.pushed)


def test_a_retried_producer_builds_only_the_models_whose_tasks_still_wait(settings, monkeypatch):
    """A producer retries only when dbt could not run or its process died; its retry builds
    the models whose tasks still wait for it, not the ones that ended or rerun on a worker."""
    dag, producer = _transform_producer(settings)
    ids = producer.model_task_ids
    uids = sorted(ids)
    ended = {ids[uids[0]]: "success", ids[uids[1]]: "failed", ids[uids[2]]: "up_for_retry"}
    waiting = {ids[uids[3]]: "deferred", ids[uids[4]]: None, ids[uids[5]]: "scheduled"}
    states = {**dict.fromkeys(ids.values(), "success"), **ended, **waiting}

    asked, pushed = _producer_run(producer, monkeypatch, 2, states)
    built = {uid.split(".")[-1] for uid in uids[3:6]}
    tests = {t.split(".")[2] for uid in uids[3:6] for t in producer.tests_per_model.get(uid, [])}
    assert set(asked["select"]) == built | tests
    assert asked["indirect_selection"] == "empty"  # exactly these tests, no others
    assert set(asked["tests_per_model"]) <= set(uids[3:6])
    assert set(pushed["plan"]["selected"]) == built  # the waiting tasks read it
    # Cosmos's producer skips any retry: it is shown a first try, with the real task instance
    # behind it for XComs.
    assert asked["ti"].try_number == 1 and asked["ti"].run_id == "r1"

    # A first try builds the whole selection, named by its layers, not model by model.
    asked, _ = _producer_run(producer, monkeypatch, 1, states)
    assert asked["select"] == TRANSFORM_SELECT and asked["exclude"] is None
    assert asked["indirect_selection"] is None


def test_the_producer_names_the_shorter_list_of_models_to_dbt(settings, monkeypatch):
    """dbt matches every name given against every node: a run that builds most models names
    the layers and the few it leaves out; a run that builds a few names them."""
    from ol_platform.transform.run_plan import RunPlan

    _, producer = _transform_producer(settings)
    names = sorted(uid.split(".")[-1] for uid in producer.model_assets)
    asked = {}

    def run(plan: RunPlan) -> None:
        monkeypatch.setattr(producer, "plan", lambda context: (plan, {}))
        producer.execute({"ti": _RunTI(1), "outlet_events": {}})

    def operator(**kwargs):
        asked.update(kwargs)
        producer.book = VerdictBook(list(producer.model_assets), kwargs["tests_per_model"])
        return SimpleNamespace(execute=lambda context: None)

    monkeypatch.setattr(producer, "cosmos_operator", operator)
    left_out = dict.fromkeys(names[:3], "none of the raw tables it reads changed in this run")
    run(RunPlan(selected=names[3:], excluded=left_out, tests={n: [] for n in names[3:]}))
    assert asked["select"] == TRANSFORM_SELECT and asked["exclude"] == names[:3]
    assert asked["indirect_selection"] == "buildable"
    few = dict.fromkeys(names[3:], "none of the raw tables it reads changed in this run")
    run(RunPlan(selected=names[:3], excluded=few, tests={n: [] for n in names[:3]}))
    assert asked["select"] == names[:3] and asked["exclude"] is None
    # A test of a built model that also reads a left-out one: ``--exclude`` would drop it (its
    # task then failed with "no result", as the demo showed), so the names stay.
    from ol_platform.transform.project import load_graph

    graph = load_graph()
    test, out = next(
        (t, p.split(".")[-1])
        for t, parents in graph.test_parents.items()
        if len(parents) > 1
        for p in parents
        if p.split(".")[-1] in names and any(q != p and q.split(".")[-1] in names for q in parents)
    )
    readers = [q.split(".")[-1] for q in graph.test_parents[test]]
    reader = next(r for r in readers if r != out and r in names)
    rest = [n for n in names if n != out]
    tests = {n: ([test] if n == reader else []) for n in rest}
    run(RunPlan(selected=rest, excluded={out: "unchanged"}, tests=tests))
    assert asked["select"] == rest and asked["exclude"] is None


def test_a_model_rerun_leaves_a_test_on_a_model_not_built_yet_to_that_model(monkeypatch, caplog):
    from ol_platform.transform import model_tasks
    from ol_platform.transform.model_tasks import DbtModelOperator

    shared, own = "test.ol_dbt.relationships_a_b.1", "test.ol_dbt.unique_a_id.2"
    task = DbtModelOperator(
        task_id="staging.a", model_unique_id="model.ol_dbt.a", test_unique_ids=[own, shared]
    )
    task.test_partners = {shared: [("staging", "b")]}
    existing: set[str] = set()
    monkeypatch.setattr(model_tasks, "_lake_checks", lambda: (None, lambda m: m.name in existing))
    with caplog.at_level(logging.INFO, logger=model_tasks.log.name):
        assert task.tests_ready() == [own]
    assert "relationships_a_b waits for b" in caplog.text
    existing.add("b")
    assert task.tests_ready() == [own, shared]


def test_the_producer_emits_the_asset_of_each_model_that_passed(settings, monkeypatch):
    from ol_platform.transform.run_plan import RunPlan

    _, producer = _transform_producer(settings)
    names = [uid.split(".")[-1] for uid in producer.model_assets]
    monkeypatch.setattr(producer, "plan", lambda context: (RunPlan(selected=names), {}))
    failed = sorted(producer.model_assets)[0]

    def operator(**kwargs):
        producer.book = VerdictBook(list(producer.model_assets), kwargs["tests_per_model"])

        def execute(context):
            for uid in producer.model_assets:
                tests = kwargs["tests_per_model"].get(uid, [])
                status = "error" if uid == failed else "success"
                producer.book.verdicts[uid] = {
                    "status": status,
                    "tests": dict.fromkeys(tests, "pass"),
                }

        return SimpleNamespace(execute=execute)

    monkeypatch.setattr(producer, "cosmos_operator", operator)
    added = []
    alias_events = SimpleNamespace(add=lambda asset, extra=None: added.append(asset))
    producer.execute({"ti": _RunTI(1), "outlet_events": {producer.outlets[0]: alias_events}})
    assert {a.uri for a in added} == {
        a.uri for uid, a in producer.model_assets.items() if uid != failed
    }


def _split_producer(settings, monkeypatch):
    """The producer of a transform split into four DAGs of at most 20 model tasks."""
    from ol_platform.orchestration import transform_dag
    from tests.unit.test_transform_parts import _graph

    monkeypatch.setattr(transform_dag, "load_graph", lambda: _graph(chains=12, length=5))
    monkeypatch.setattr(model_tasks, "_lake_checks", lambda: (lambda t: True, lambda m: True))
    dags = transform_dag.build_transform_dags(settings, render="models", limit=20)
    return dags, dags[0].get_task("dbt_producer")


def test_a_split_transform_s_producer_starts_the_parts_that_hold_its_models(settings, monkeypatch):
    """As it starts, the producer starts a run of each other DAG holding a model it builds in
    this run, with its own run id; a retry finds them started and builds all the same."""
    from airflow.sdk.execution_time import task_runner
    from airflow.sdk.execution_time.comms import ErrorResponse, ErrorType, OKResponse

    from ol_platform.transform.run_plan import RunPlan

    dags, producer = _split_producer(settings, monkeypatch)
    sent = []

    class Comms:
        reply = OKResponse(ok=True)

        def send(self, msg):
            sent.append(msg)
            return self.reply

    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", Comms(), raising=False)
    # This run builds the first chain only: its models are in the first two parts.
    chain = ["int_0_0", "int_0_1", "int_0_2", "int_0_3", "int_0_4", "dim_all", "mart_all"]
    owner = {t.task_id.split(".")[-1]: d.dag_id for d in dags for t in d.tasks}
    monkeypatch.setattr(producer, "plan", lambda context: (RunPlan(selected=chain), {}))
    monkeypatch.setattr(
        producer,
        "cosmos_operator",
        lambda **kw: SimpleNamespace(execute=lambda context: sent.append(kw["select"])),
    )
    producer.book = VerdictBook([], {})
    producer.execute({"ti": _RunTI(1), "outlet_events": {producer.outlets[0]: set()}})
    started = {m.dag_id for m in sent[:-1]}
    assert started == {owner[m] for m in chain} - {"transform"}
    assert all(m.run_id == "r1" for m in sent[:-1])
    assert sent[-1] == chain, "dbt builds the run's whole selection once, after the parts start"

    sent.clear()
    Comms.reply = ErrorResponse(error=ErrorType.DAGRUN_ALREADY_EXISTS)
    producer.execute({"ti": _RunTI(1), "outlet_events": {producer.outlets[0]: set()}})
    assert sent[-1] == chain


def test_a_retried_split_producer_builds_the_models_of_parts_it_never_started(
    settings, monkeypatch
):
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    dags, producer = _split_producer(settings, monkeypatch)
    ended = {"transform": "success", "transform__part_02": "success"}

    def states(dag_id, task_ids, run_ids):
        if dag_id not in ended:
            return {}  # no run of this id: the first try died before starting it
        return {run_ids[0]: dict.fromkeys(task_ids, ended[dag_id])}

    monkeypatch.setattr(RuntimeTaskInstance, "get_task_states", staticmethod(states))
    waiting = producer.awaiting(_RunTI(2))
    assert waiting == {
        t.task_id.split(".")[-1] for d in dags[2:] for t in d.tasks if "." in t.task_id
    }


def test_the_producer_s_pushes_never_hold_the_reading_of_dbt_s_lines(monkeypatch):
    """A push is a round trip to the API server: queued to a thread, in order, so dbt's lines
    are read on while it runs, a model's log still reaches the API before its verdict, and the
    producer ends only once everything is pushed."""
    import threading

    from ol_platform.transform.model_tasks import XComPusher

    monkeypatch.setattr(model_tasks, "POKE_INTERVAL", 0)
    release = threading.Event()

    class SlowTI(_TI):
        def xcom_push(self, key, value):
            release.wait(5)
            super().xcom_push(key, value)

    ti = SlowTI()
    book = VerdictBook([MODEL], {MODEL: []})
    book.sink = pusher = XComPusher(ti)
    _keep_node_lines(_line(MODEL, "success"), {"context": {"ti": ti}}, book=book)
    assert ti.pushed == [], "the line was read on without waiting for the API"
    release.set()
    book.flush(ti, final=True)
    pusher.close()
    assert [k for k, _ in ti.pushed] == [key(MODEL, "log"), "verdicts"]
    assert ti.pushed[-1][1] == {MODEL: {"status": "success", "tests": {}}}

    class BrokenTI(_TI):
        def xcom_push(self, key, value):
            raise ConnectionError("the API server is gone")

    broken = XComPusher(BrokenTI())
    broken.xcom_push("verdicts", {})
    with pytest.raises(ConnectionError):
        broken.close()
