"""One Airflow task per dbt model at the cost of one ``dbt build`` (the ``models`` render mode).

The DAG gets a producer task and one task per model, grouped per layer, wired in dbt's order::

    dbt_producer            (one worker task: `dbt build` of the selection, JSON log)
    intermediate.<model> ──► dimensional.<model> ──► mart.<model> ...
                            (one task per model + its tests; none of them occupies a worker)

- The producer is Cosmos's watcher producer: as dbt finishes each node it pushes the node's
  status, compiled SQL and (added here) the node's own dbt log lines to XCom.
- A model task starts **in the triggerer** (``start_from_trigger``): its trigger waits for
  the model's status and its tests' aggregated status, writes the model's dbt lines and
  compiled SQL to the task's log, and ends the task with ``TaskSuccessEvent`` or
  ``TaskFailedEvent``. No task process starts for it, which is what made a task per model
  cost 7x a plain build on a 2-core worker. A failed model fails its task, so the models
  below it are ``upstream_failed``.
- **Retries and clears really rerun the model.** On any try after the first, or when the
  producer has no result for the model (it never ran, was skipped, or the producer died),
  the trigger hands the task to a worker (a plain ``TriggerEvent``), which runs
  ``dbt build --select <model>`` (the model and its tests) like the ``build`` mode does.
  Clearing a model "with downstream" in the UI reruns it and everything below it.
- **A run builds what changed.** In the transform, the producer first plans the run
  (``ol_platform.transform.run_plan``): the models fed by the raw tables whose events
  triggered it, minus those whose inputs have never landed, or the run conf's dbt selector.
  Every other model's task is skipped with the reason in its log; model tasks run when no
  parent failed (``none_failed``), so a skipped parent does not hold back a selected child.
- **Asset events stay exact.** A task ended from the triggerer emits no event for its outlets,
  so the producer emits, through an ``AssetAlias``, the Asset of each model whose build and
  tests passed, when it ends; a model rerun on a worker emits its own Asset as any task does.
- **One producer, model tasks in several DAGs.** A project too large for one DAG keeps its one
  producer, and puts the tasks of some models in other DAGs (``add_part_tasks``): as it
  starts, the producer starts a run of each such DAG with its own run id, whose model tasks
  read its verdicts. dbt runs once per landing, and builds each model once, in its order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.triggers.base import (
    BaseTrigger,
    StartTriggerArgs,
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)

log = logging.getLogger(__name__)

PRODUCER_TASK_ID = "dbt_producer"
TRIGGER_CLASSPATH = "ol_platform.transform.model_tasks.ModelResultTrigger"
# How long a model task waits for the producer before it gives up (the whole build's budget).
WAIT_LIMIT = timedelta(hours=3)
SUCCESS_STATES = ("success", "pass", "warn")
FAILED_STATES = ("error", "fail", "failed", "runtime error")
PRODUCER_ENDED = ("success", "failed", "skipped", "upstream_failed", "removed")
# A model task in one of these states is still on its first try, waiting for the producer.
AWAITING_PRODUCER = (None, "none", "scheduled", "queued", "deferred")
PLAN_KEY = "plan"
# Every model's verdict so far ({unique id: {"status", "tests": {test id: status}}}): one XCom,
# re-pushed as dbt goes, that every waiting model task of the run reads at once.
VERDICTS_KEY = "verdicts"
# How often a run's waiting model tasks read the verdicts; the producer pushes them as often.
POKE_INTERVAL = 0.5
# How much less often they look while the producer waits for a worker (no XCom to read yet).
IDLE_POKE_FACTOR = 6
# The producer has not started: no plan or verdict of this try exists yet.
PRODUCER_NOT_STARTED = (None, "none", "scheduled", "queued")
# The producer's DAG has no run of this run id: a model task's DAG was triggered on its own.
NO_PRODUCER_RUN = "no producer run"
# Read after the producer ended, the verdicts are final: the model tasks that start after dbt
# has finished (a level at a time, each after its parents' tasks ended) use them for this long
# without asking again, even once no task of the run waits. A clear of a model task makes a
# new try, which never reads them (it reruns the model on a worker).
FINAL_VIEW_MAX_AGE = 5.0
# A call to the triggerer's supervisor that takes longer is abandoned and retried.
COMMS_TIMEOUT = 60.0


def _key(unique_id: str, suffix: str) -> str:
    # Cosmos's keys: dots in unique ids become "__".
    return f"{unique_id.replace('.', '__')}_{suffix}"


def alias_name(dag_id: str) -> str:
    return f"dbt-models__{dag_id}"


class RunView:
    """What the producer of one DAG run has published, read once per ``poke_interval`` for
    every model task of that run waiting in this triggerer.

    Each model task polling the producer's XComs on its own cost four API calls per task per
    second, all through the triggerer's one supervisor: with 31 model tasks the triggerer fell
    tens of seconds behind, and the cost grows with the project. Shared, a run's polling costs
    the same at 700 models as at 7.
    """

    def __init__(self) -> None:
        self.plan: dict | None = None
        self.verdicts: dict[str, dict] = {}
        self.producer: str | None = None
        self.fetched_at = float("-inf")
        self.users = 0
        self.lock = asyncio.Lock()

    @property
    def producer_started(self) -> bool:
        return self.producer not in PRODUCER_NOT_STARTED

    def reusable(self, now: float) -> bool:
        """Read after the producer ended, and recently enough to use without asking again."""
        return self.producer in PRODUCER_ENDED and now - self.fetched_at < FINAL_VIEW_MAX_AGE

    async def refresh(self, trigger: ModelResultTrigger, max_age: float) -> None:
        async with self.lock:
            now = asyncio.get_running_loop().time()
            if self.reusable(now) or now - self.fetched_at < max_age:
                return
            try:
                # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives
                # as the call it wraps completes, and a cancelled trigger then polled forever.
                async with asyncio.timeout(COMMS_TIMEOUT):
                    await self._fetch(trigger)
            except TimeoutError:
                # A reply lost or stuck in an overloaded supervisor must not hold every model
                # task of the run for good: the next poll asks again.
                trigger.log.warning(
                    "no answer from the triggerer's supervisor within %.0fs; asking again",
                    COMMS_TIMEOUT,
                )
                return
            self.fetched_at = asyncio.get_running_loop().time()

    async def _fetch(self, trigger: ModelResultTrigger) -> None:
        # The producer's state first: once it has ended, the verdicts read next are final.
        self.producer = await trigger._producer_state()
        if not self.producer_started:
            return  # queued behind other tasks: nothing to read, and no reason to load the API
        if self.plan is None:
            self.plan = await trigger._xcom(PLAN_KEY)
        self.verdicts = await trigger._xcom(VERDICTS_KEY) or {}


_VIEWS: dict[tuple[str, str, str], RunView] = {}


def _forget_idle_views(now: float) -> None:
    """Drop the views no task waits on, but a final one only once it is too old to reuse."""
    for key, view in list(_VIEWS.items()):
        if not view.users and not view.reusable(now):
            del _VIEWS[key]


class ModelResultTrigger(BaseTrigger):
    """Ends a model's task from the producer's results, or hands it to a worker to rerun."""

    def __init__(
        self,
        model_unique_id: str,
        test_unique_ids: list[str] | None = None,
        producer_task_id: str = PRODUCER_TASK_ID,
        poke_interval: float = POKE_INTERVAL,
        parent_task_ids: list[str] | None = None,
        producer_dag_id: str | None = None,
    ) -> None:
        super().__init__()
        self.model_unique_id = model_unique_id
        self.test_unique_ids = list(test_unique_ids or [])
        self.producer_task_id = producer_task_id
        self.poke_interval = poke_interval
        self.parent_task_ids = list(parent_task_ids or [])
        # The DAG of the producer, when this model's task is in another one: its run of the
        # same run id feeds this run.
        self.producer_dag_id = producer_dag_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            TRIGGER_CLASSPATH,
            {
                "model_unique_id": self.model_unique_id,
                "test_unique_ids": self.test_unique_ids,
                "producer_task_id": self.producer_task_id,
                "poke_interval": self.poke_interval,
                "parent_task_ids": self.parent_task_ids,
                "producer_dag_id": self.producer_dag_id,
            },
        )

    @property
    def _producer_dag(self) -> str:
        return self.producer_dag_id or self.task_instance.dag_id

    async def _xcom(self, key: str) -> Any:
        from airflow.sdk.execution_time.xcom import XCom

        ti = self.task_instance
        return await XCom.aget_one(
            run_id=ti.run_id, key=key, task_id=self.producer_task_id, dag_id=self._producer_dag
        )

    async def _producer_state(self) -> str | None:
        # Asked on the event loop: the SDK's sync call would run in asgiref's one shared
        # thread, where a single unanswered request holds every trigger's next one.
        from airflow.sdk.execution_time.comms import GetTaskStates
        from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS

        ti = self.task_instance
        result = await SUPERVISOR_COMMS.asend(
            GetTaskStates(
                dag_id=self._producer_dag, task_ids=[self.producer_task_id], run_ids=[ti.run_id]
            )
        )
        states = getattr(result, "task_states", None) or {}
        if ti.run_id not in states and self._producer_dag != ti.dag_id:
            return NO_PRODUCER_RUN
        return (states.get(ti.run_id) or {}).get(self.producer_task_id)

    def _view(self) -> RunView:
        ti = self.task_instance
        _forget_idle_views(asyncio.get_running_loop().time())
        return _VIEWS.setdefault((self._producer_dag, ti.run_id, self.producer_task_id), RunView())

    async def run(self) -> AsyncIterator[TriggerEvent]:
        view = self._view()
        view.users += 1
        try:
            async for event in self._judge(view):
                yield event
                return
        finally:
            view.users -= 1
            _forget_idle_views(asyncio.get_running_loop().time())

    async def _judge(self, view: RunView) -> AsyncIterator[TriggerEvent]:
        name = self.model_unique_id.split(".")[-1]
        try_number = getattr(self.task_instance, "try_number", 1) or 1
        if try_number > 1:
            self.log.info("try %s of %s: rerunning the model and its tests", try_number, name)
            yield TriggerEvent({"rerun": True, "reason": f"try {try_number}"})
            return
        while True:
            poke = self.poke_interval * (1 if view.producer_started else IDLE_POKE_FACTOR)
            await view.refresh(self, poke)
            if view.producer == NO_PRODUCER_RUN:
                self.log.info(
                    "no run of %s has this run's id (this DAG was triggered on its own): "
                    "building %s on its own",
                    self._producer_dag,
                    name,
                )
                yield TriggerEvent({"rerun": True, "reason": "no producer run"})
                return
            plan, verdict = view.plan, view.verdicts.get(self.model_unique_id)
            selected = (plan or {}).get("selected")
            if plan is not None and selected is not None and name not in selected:
                reason = (plan.get("excluded") or {}).get(name, "not selected")
                self.log.info("%s is not built in this run: %s", name, reason)
                yield TaskSkippedEvent()
                return
            if verdict is not None:
                break
            if view.producer in PRODUCER_ENDED:
                stale = [p for p in self.parent_task_ids if _not_passed(view.verdicts, p)]
                if stale:
                    # Not built because a parent failed; that parent has been rebuilt since.
                    self.log.info("%s was rebuilt in this run: building %s", stale[0], name)
                    yield TriggerEvent({"rerun": True, "reason": f"{stale[0]} rebuilt"})
                    return
                if plan is not None and selected is None:
                    self.log.info("%s is not in this run's dbt selection", name)
                    yield TaskSkippedEvent()
                    return
                self.log.error(
                    "the producer ended (%s) before building %s; a retry (or a clear) "
                    "builds it on its own",
                    view.producer,
                    name,
                )
                yield TaskFailedEvent()
                return
            await asyncio.sleep(poke)

        status = verdict.get("status")
        stale = [p for p in self.parent_task_ids if _not_passed(view.verdicts, p)]
        if stale:
            # This task runs, so its parent's task passed, yet the producer's build of that
            # parent did not: the parent was rebuilt on a worker (a retry or a clear), and
            # the producer's result for this model predates its inputs.
            self.log.info("%s was rebuilt in this run: rerunning %s", ", ".join(stale), name)
            yield TriggerEvent({"rerun": True, "reason": f"{stale[0]} rebuilt"})
            return
        self.log.info("dbt build of %s (from %s)", name, self.producer_task_id)
        node_log = await self._xcom(_key(self.model_unique_id, "log")) or {}
        # Written from the loop: the platform's triggerer queues its runner's log lines, so a
        # full log socket never blocks it (ol_platform.orchestration.triggerer).
        self._log_build(name, node_log)
        failed = [] if status in SUCCESS_STATES else [f"{name}: {status}"]
        tests = verdict.get("tests") or {}
        if status in SUCCESS_STATES:
            failed += [
                f"{test_id.split('.')[2]}: {test_status or 'no result'}"
                for test_id, test_status in tests.items()
                if test_status not in SUCCESS_STATES
            ]
        if status == "skipped":
            # A model or test upstream failed in the same build: its task (in this DAG, or in
            # another part of the transform) failed and says why. Built on its stale table,
            # this one would pass with stale data.
            self.log.warning(
                "dbt skipped %s: a model or test it reads failed in this build (%s's run)",
                name,
                self._producer_dag,
            )
            yield TaskSkippedEvent()
        elif failed:
            self.log.error("%s failed: %s", name, "; ".join(failed))
            yield TaskFailedEvent()
        else:
            self.log.info("%s and its %d tests passed", name, len(tests))
            yield TaskSuccessEvent()

    def _log_build(self, name: str, node_log: dict) -> None:
        """The model's dbt lines, its compiled SQL and its tests' lines, into the task's log."""
        for line in node_log.get("lines", []):
            self.log.info("%s", line)
        sql = node_log.get("compiled_sql")
        if sql:
            self.log.info("compiled SQL of %s:\n%s", name, sql)
        for lines in (node_log.get("tests") or {}).values():
            for line in lines:
                self.log.info("%s", line)


def _not_passed(verdicts: dict[str, dict], parent_task_id: str) -> bool:
    """The producer built the parent model (task id ``<layer>.<model>``) and it did not pass."""
    name = parent_task_id.split(".")[-1]
    verdict = next((v for uid, v in verdicts.items() if uid.split(".")[-1] == name), None)
    return verdict is not None and not verdict_passed(verdict)


def verdict_passed(verdict: dict) -> bool:
    tests = (verdict.get("tests") or {}).values()
    return verdict.get("status") in SUCCESS_STATES and all(t in SUCCESS_STATES for t in tests)


class DbtModelOperator(BaseOperator):
    """A dbt model and its tests; starts in the triggerer, reruns on a worker when asked to."""

    ui_color = "#ff8f6b"
    start_from_trigger = True

    def __init__(
        self,
        *,
        model_unique_id: str,
        test_unique_ids: list[str],
        producer_task_id: str = PRODUCER_TASK_ID,
        producer_dag_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A parent left out of this run (skipped) does not stop a model that is in it; a
        # failed parent still makes it upstream_failed.
        kwargs.setdefault("trigger_rule", "none_failed")
        super().__init__(**kwargs)
        self.model_unique_id = model_unique_id
        self.test_unique_ids = list(test_unique_ids)
        # {test on several models: the other models' (layer, name)}, filled in by
        # add_model_tasks.
        self.test_partners: dict[str, list[tuple[str, str]]] = {}
        self.start_trigger_args = StartTriggerArgs(
            trigger_cls=TRIGGER_CLASSPATH,
            trigger_kwargs={
                "model_unique_id": model_unique_id,
                "test_unique_ids": self.test_unique_ids,
                "producer_task_id": producer_task_id,
                "parent_task_ids": [],  # filled in once every model's task exists
                "producer_dag_id": producer_dag_id,
            },
            next_method="execute_complete",
            next_kwargs=None,
            timeout=WAIT_LIMIT,
        )

    def execute(self, context: Any) -> Any:
        return self._rerun(context)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> Any:
        log.info("rerunning %s: %s", self.model_unique_id, (event or {}).get("reason"))
        return self._rerun(context)

    def _rerun(self, context: Any) -> Any:
        from ol_platform.transform.operators import cosmos_build

        # The model and the tests the producer ran with it.
        name = self.model_unique_id.split(".")[-1]
        tests = self.tests_ready()
        build = cosmos_build(
            task_id=self.task_id,
            select=[name, *(t.split(".")[2] for t in tests)],
            indirect_selection="empty",
            cache_key=f"{self.dag_id}__{self.task_id}",
        )
        build.execute(context)
        return None

    def tests_ready(self) -> list[str]:
        """The model's tests that can run in its rerun: a test that also reads other models (a
        ``relationships`` test) waits while any of their tables is missing (the producer died
        before building them, say); that model's own task runs it once it has built it."""
        if not self.test_partners:
            return list(self.test_unique_ids)
        from ol_platform.transform.project import Model

        _, built = _lake_checks()
        ready = []
        for test in self.test_unique_ids:
            missing = [
                name
                for layer, name in self.test_partners.get(test, [])
                if not built(Model(name=name, layer=layer, source_tables=()))
            ]
            if missing:
                log.info("%s waits for %s, not built yet", test.split(".")[2], missing[0])
            else:
                ready.append(test)
        return ready


class DbtProducerOperator(BaseOperator):
    """One ``dbt build`` of the selection, feeding the model tasks through XCom."""

    ui_color = "#ff694b"

    def __init__(
        self,
        *,
        select: list[str],
        tests_per_model: dict[str, list[str]],
        model_assets: dict[str, Any],
        indirect_selection: str | None = None,
        plan_from_events: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.select = list(select)
        self.indirect_selection = indirect_selection
        # The transform: build what the triggering events feed, honour a conf selector.
        self.plan_from_events = plan_from_events
        self.tests_per_model = tests_per_model
        self.model_assets = model_assets
        # Each model's task ({unique id: task id}), filled in once every model's task exists.
        self.model_task_ids: dict[str, str] = {}
        # The other DAGs holding tasks of this producer's models: {DAG id: {unique id: task id}}.
        self.part_task_ids: dict[str, dict[str, str]] = {}
        self.book: VerdictBook | None = None  # this try's, once dbt starts

    def cosmos_operator(
        self,
        select: list[str] | None = None,
        exclude: list[str] | None = None,
        full_refresh: bool = False,
        tests_per_model: dict[str, list[str]] | None = None,
        indirect_selection: str | None = None,
    ):
        from functools import partial

        from cosmos.constants import InvocationMode
        from cosmos.operators.watcher import DbtProducerWatcherOperator

        from ol_platform.settings import get_settings
        from ol_platform.transform.artifacts import keep_artifacts
        from ol_platform.transform.cosmos_config import operator_args, profile_config
        from ol_platform.transform.operators import partial_parse_cache
        from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

        settings = get_settings()
        args = operator_args(settings)
        tests = self.tests_per_model if tests_per_model is None else tests_per_model
        book = self.book = VerdictBook(list(self.model_assets), tests)

        class Producer(DbtProducerWatcherOperator):
            # Cosmos's own parser pushes several XComs per dbt node (events, statuses,
            # compiled SQL) for its consumer tasks, and backs every push up into a Variable
            # that it re-serialises whole each time: with a thousand tests that made the
            # producer's build twice as long as a plain one. The model tasks here read only
            # the verdict book's XComs.
            def _make_parse_callable(self):
                return partial(_keep_node_lines, book=book)

        return Producer(
            task_id=self.task_id,
            project_dir=DBT_PROJECT_DIR,
            profile_config=profile_config(settings),
            dbt_executable_path=DBT_EXECUTABLE,
            invocation_mode=InvocationMode.SUBPROCESS,
            install_deps=False,
            select=select or self.select,
            exclude=exclude,
            full_refresh=full_refresh,
            indirect_selection=indirect_selection or self.indirect_selection,
            tests_per_model=tests,
            callback=keep_artifacts,
            cache_dir=partial_parse_cache(f"{self.dag_id}__{self.task_id}"),
            **args,
        )

    def plan(self, context: Any):
        """What this run builds (see ``ol_platform.transform.run_plan``)."""
        from ol_platform.transform.project import load_graph
        from ol_platform.transform.run_plan import RunPlan, changed_raw_tables, plan_run

        names = [uid.split(".")[-1] for uid in self.model_assets]
        if not self.plan_from_events:
            return RunPlan(selected=names), {}
        from ol_platform.transform.operators import conf_selection

        overrides = conf_selection(context)
        graph = load_graph()
        wanted = set(names)
        landed, built = _lake_checks()
        return (
            plan_run(
                graph,
                [m for m in graph.models if m.name in wanted],
                changed=changed_raw_tables(context.get("triggering_asset_events")),
                landed=landed,
                built=built,
                conf_select=overrides.get("select"),
            ),
            overrides,
        )

    def covers(self, plan: Any) -> bool:
        """The plan has a verdict (built or why not) for every model of this producer's
        selection, excludes fewer than it builds, and no test it runs reads a model it leaves
        out: dbt's ``--exclude`` drops such a test, which the names' ``buildable`` keeps."""
        from ol_platform.transform.project import load_graph

        every = {uid.split(".")[-1] for uid in self.model_assets}
        chosen = {*plan.selected, *plan.excluded}
        if chosen != every or len(plan.excluded) >= len(plan.selected):
            return False
        parents = load_graph().test_parents
        tests = {t for planned in (plan.tests or {}).values() for t in planned}
        return not any(p.split(".")[-1] in plan.excluded for t in tests for p in parents.get(t, ()))

    def awaiting(self, ti: Any) -> set[str] | None:
        """On a retry, the models whose tasks still wait for this producer; else ``None``.

        The producer fails only when dbt could not run at all or its process died (a failed
        model fails its own task, not the producer), so a retry builds what the first try did
        not hand over. Models whose tasks have ended, or rerun on a worker, are left alone."""
        if (getattr(ti, "try_number", 1) or 1) <= 1 or not self.model_task_ids:
            return None
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        waiting: set[str] = set()
        for dag_id, task_ids in {ti.dag_id: self.model_task_ids, **self.part_task_ids}.items():
            states = RuntimeTaskInstance.get_task_states(
                dag_id=dag_id, task_ids=list(task_ids.values()), run_ids=[ti.run_id]
            ).get(ti.run_id)
            # A part whose run the first try never started: all of its models still wait.
            waiting |= {
                uid.split(".")[-1]
                for uid, task_id in task_ids.items()
                if states is None or states.get(task_id) in AWAITING_PRODUCER
            }
        return waiting

    def start_parts(self, ti: Any, selected: list[str] | None) -> None:
        """Start, with this run's id, the run of each other DAG holding tasks of models this
        run builds: their tasks read this producer's verdicts as dbt goes. A retry finds them
        started."""
        from airflow.sdk.execution_time.comms import ErrorResponse, TriggerDagRun
        from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS

        wanted = None if selected is None else set(selected)
        for dag_id, task_ids in self.part_task_ids.items():
            names = [uid.split(".")[-1] for uid in task_ids]
            count = len(names) if wanted is None else len(wanted.intersection(names))
            if not count:
                continue  # none of its models is built in this run
            try:
                reply = SUPERVISOR_COMMS.send(
                    TriggerDagRun(
                        dag_id=dag_id,
                        run_id=ti.run_id,
                        conf={"producer": {"dag_id": ti.dag_id, "run_id": ti.run_id}},
                        note=f"Model tasks of {ti.dag_id}'s run {ti.run_id}",
                    )
                )
            except Exception as exc:  # the DAG is gone or broken
                reply = exc
            if isinstance(reply, ErrorResponse | Exception):
                # Already started (this is a retry), or it cannot run: dbt builds its models
                # all the same; only their tasks are missing.
                why = reply.error.value if isinstance(reply, ErrorResponse) else reply
                self.log.warning("%s: no run %s started (%s)", dag_id, ti.run_id, why)
                continue
            self.log.info("started %s's run for %d of its %d models", dag_id, count, len(names))

    def execute(self, context: Any) -> Any:
        ti = context["ti"]
        plan, overrides = self.plan(context)
        awaiting = self.awaiting(ti) if plan.selected is not None else None
        if awaiting is not None:
            done = sorted(set(plan.selected) - awaiting)
            self.log.info(
                "try %s: building the %d models whose tasks still wait; %d ended or rerun alone",
                ti.try_number,
                len(awaiting & set(plan.selected)),
                len(done),
            )
            plan = plan.restricted_to(awaiting)
        ti.xcom_push(key=PLAN_KEY, value=plan.as_xcom())
        if self.part_task_ids:
            self.start_parts(ti, plan.selected)
        for name, reason in sorted(plan.excluded.items()):
            self.log.info("not built: %s: %s", name, reason)
        if plan.selected == []:
            self.log.info("nothing to build in this run")
            return {"passed": 0, "failed": 0, "excluded": len(plan.excluded)}
        if overrides:
            self.log.info("selection from the run's conf: %s", overrides)
        tests_per_model = self.tests_per_model
        if plan.tests is not None:  # a planned subset: the tests that can run against it
            from ol_platform.transform.project import PROJECT_NAME

            tests_per_model = {
                f"model.{PROJECT_NAME}.{name}": tests for name, tests in plan.tests.items() if tests
            }
        select, exclude = overrides.get("select") or plan.selected, None
        if self.plan_from_events and plan.selected and self.covers(plan):
            # The same nodes, in fewer words: dbt matches each name of a selection against
            # every node, and 544 names took it 15 s before its first model at 700 models.
            select, exclude = self.select, sorted(plan.excluded) or None
        indirect = "buildable" if plan.tests is not None else None
        if awaiting is not None:
            # Exactly these models and their tests: the others' tables are already built.
            tests_per_model = {
                uid: tests
                for uid, tests in tests_per_model.items()
                if uid.split(".")[-1] in plan.selected
            }
            test_names = {t.split(".")[2] for tests in tests_per_model.values() for t in tests}
            select, indirect, exclude = [*plan.selected, *sorted(test_names)], "empty", None
            # Cosmos's producer skips any retry (it cannot tell what a first try built); this
            # one builds only what still waits, so Cosmos sees a first try.
            first_try = _AsFirstTry(ti)
            context = {**context, "ti": first_try, "task_instance": first_try}
        error: Exception | None = None
        pusher = XComPusher(ti)
        try:
            operator = self.cosmos_operator(
                select=select,
                exclude=exclude,
                full_refresh=overrides.get("full_refresh", False),
                tests_per_model=tests_per_model,
                indirect_selection=indirect,
            )
            self.book.sink = pusher
            operator.execute(context)
        except Exception as exc:  # a node failed, or dbt itself did: told apart below
            error = exc
        try:
            if getattr(self, "book", None) is None:  # dbt never started
                raise error or RuntimeError("the dbt build did not start")
            # The last verdicts, and those of models whose tests never all reported.
            self.book.flush(ti, final=True)
        finally:
            pusher.close()  # all of them pushed before the producer ends
        selected = set(plan.selected) if plan.selected is not None else None
        passed, failed = [], []
        for unique_id, asset in self.model_assets.items():
            if selected is not None and unique_id.split(".")[-1] not in selected:
                continue
            verdict = self.book.verdicts.get(unique_id)
            if verdict is None:
                if selected is not None:
                    failed.append(unique_id)
                continue  # never built: outside the conf's selector, or dbt stopped first
            ok = verdict_passed(verdict)
            (passed if ok else failed).append(unique_id)
            if ok:
                context["outlet_events"][self.outlets[0]].add(asset)
        self.log.info(
            "dbt build: %d models passed with their tests, %d did not (their tasks say why), "
            "%d not built in this run",
            len(passed),
            len(failed),
            len(plan.excluded),
        )
        if error is not None and not any(uid in self.book.verdicts for uid in failed):
            raise error  # dbt broke before any node ran: the run fails here
        return {"passed": len(passed), "failed": len(failed), "excluded": len(plan.excluded)}


class _AsFirstTry:
    """A task instance that reports try 1 and is otherwise the one it wraps."""

    try_number = 1

    def __init__(self, ti: Any) -> None:
        self._ti = ti

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ti, name)


def _lake_checks():
    """Which raw tables have landed and which models' tables exist: one listing per namespace."""
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.lake.naming import namespace, warehouse_schema
    from ol_platform.settings import get_settings

    settings = get_settings()
    tables: dict[str, set[str]] = {}
    try:
        catalog = get_catalog(settings)

        def listing(ns: str) -> set[str]:
            if ns not in tables:
                exists = catalog.namespace_exists(ns)
                tables[ns] = {t[-1] for t in catalog.list_tables(ns)} if exists else set()
            return tables[ns]

        listing(namespace(settings.env, "raw"))
    except Exception as exc:  # the catalog is unreachable: let dbt find out, table by table
        log.warning("could not list the lake's tables (%s): building every selected model", exc)
        return (lambda table: True), (lambda model: True)
    schema = warehouse_schema(settings.env)
    return (
        lambda table: table in listing(namespace(settings.env, "raw")),
        lambda model: model.name in listing(f"{schema}_{model.layer}"),
    )


class VerdictBook:
    """The producer's record of each model's build and tests, from dbt's JSON log lines.

    A model's verdict is final when it failed or was skipped, or when it passed and every test
    run with it has a result; then its log (its own dbt lines and its tests') is pushed, and
    the verdicts of every model so far are re-pushed, at most every ``POKE_INTERVAL`` seconds,
    as one XCom that every waiting model task of the run reads.
    """

    def __init__(self, models: list[str], tests_per_model: dict[str, list[str]]) -> None:
        self.models = set(models)
        self.tests_per_model = {m: list(tests_per_model.get(m, [])) for m in models}
        self.models_of: dict[str, list[str]] = {}  # a test (of several models, maybe) -> models
        for model, tests in self.tests_per_model.items():
            for test in tests:
                self.models_of.setdefault(test, []).append(model)
        self.lines: dict[str, list[str]] = {}
        self.compiled_sql: dict[str, str] = {}
        self.status: dict[str, str] = {}
        self.verdicts: dict[str, dict] = {}
        self.dirty = False
        self.pushed_at = float("-inf")
        # Where the XComs go, when not straight to the task instance (see XComPusher).
        self.sink: XComPusher | None = None

    def record(self, unique_id: str, message: str | None, status: str | None, ti: Any) -> None:
        """One dbt log line of a node; ``status`` when the node finished."""
        if message:
            self.lines.setdefault(unique_id, []).append(message)
        if status is None:
            return
        self.status[unique_id] = status
        for model in [unique_id] if unique_id in self.models else self.models_of.get(unique_id, []):
            if model not in self.verdicts:
                self._judge(model, ti, final=False)
        self.flush(ti)

    def _judge(self, model: str, ti: Any, final: bool) -> None:
        status = self.status.get(model)
        tests = self.tests_per_model[model]
        if status is None:
            return
        if status in SUCCESS_STATES and not final and any(t not in self.status for t in tests):
            return  # its tests still run
        ran = tests if status in SUCCESS_STATES else []
        self.verdicts[model] = {"status": status, "tests": {t: self.status.get(t) for t in ran}}
        node_log = {
            "lines": self.lines.get(model, []),
            "tests": {t: self.lines.get(t, []) for t in ran},
            "compiled_sql": self.compiled_sql.get(model),
        }
        if ti is not None:
            (self.sink or ti).xcom_push(key=_key(model, "log"), value=node_log)
        self.dirty = True

    def flush(self, ti: Any, final: bool = False) -> None:
        """Push the verdicts if any is new and the last push is ``POKE_INTERVAL`` old."""
        if final:
            for model in self.models - set(self.verdicts):
                self._judge(model, ti, final=True)
        now = time.monotonic()
        if ti is None or not self.dirty or (not final and now - self.pushed_at < POKE_INTERVAL):
            return
        (self.sink or ti).xcom_push(key=VERDICTS_KEY, value=dict(self.verdicts))
        self.dirty, self.pushed_at = False, now


class XComPusher:
    """Pushes a task's XComs from a thread of its own, in order.

    The producer reads dbt's log lines as dbt writes them, and each push is a round trip to
    the API server (a database commit). Pushed inline, a model's log and the verdicts held
    the reading of dbt's output; dbt, its pipe full, waited too. A model's log is queued
    before the verdicts that name it, so a model task never reads a verdict without its log.
    """

    def __init__(self, ti: Any) -> None:
        import queue
        import threading

        self.ti = ti
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="xcom-pusher", daemon=True)
        self.thread.start()

    def xcom_push(self, key: str, value: Any) -> None:
        self.queue.put((key, value))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.ti.xcom_push(key=item[0], value=item[1])
                except BaseException as exc:  # raised by close(), in the producer's thread
                    self.error = exc

    def close(self) -> None:
        """Wait until everything queued is pushed; raise what a push raised."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _keep_node_lines(line: str, extra_kwargs: Any, *, book: VerdictBook) -> None:
    """Write each dbt log line to the producer's log, and hand each node's lines, final status
    and (a model's) compiled SQL to the producer's verdict book."""
    # Cosmos's helpers for one line (imported here: the DAG file parses without Cosmos).
    from cosmos.operators._watcher.base import (
        _extract_compiled_sql,
        _log_dbt_msg,
        _surface_non_json_stdout,
    )

    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        _surface_non_json_stdout(line)  # not dbt's: a library writing to stdout
        return
    _log_dbt_msg(record)
    data = record.get("data") or {}
    node = data.get("node_info") or {}
    unique_id = node.get("unique_id")
    if not unique_id:
        return
    ti = ((extra_kwargs or {}).get("context") or {}).get("ti")
    book.record(unique_id, (record.get("info") or {}).get("msg"), None, ti)
    status = node.get("node_status")
    reason = (data.get("run_result") or {}).get("message")
    if reason and status in (*FAILED_STATES, "warn"):
        book.record(unique_id, f"dbt: {reason}", None, ti)
    # A node dbt skipped (a parent failed) never started: it has no finish time.
    finished = node.get("node_finished_at") or status == "skipped"
    if status in (*SUCCESS_STATES, *FAILED_STATES, "skipped") and finished:
        project_dir = (extra_kwargs or {}).get("project_dir")
        if project_dir:
            sql = _extract_compiled_sql(
                project_dir, unique_id, node.get("node_path"), node.get("resource_type")
            )
            if sql:
                book.compiled_sql[unique_id] = sql
        book.record(unique_id, None, status, ti)


def add_model_tasks(
    *,
    graph: Any,
    models: list,
    asset_of: dict[str, Any],
    alias: Any,
    select: list[str] | None = None,
    cautious: bool = False,
    plan_from_events: bool = False,
    elsewhere: dict[str, list] | None = None,
) -> tuple[BaseOperator, dict[str, BaseOperator]]:
    """The producer and one task per model in a task group per layer, wired in dbt's order.

    Call it inside a DAG (or a TaskGroup). ``graph``/``models``: the project graph and the
    models to render (``ol_platform.transform.project``). ``cautious``: only tests whose models
    are all rendered run, as ``--indirect-selection cautious`` selects them (a source's
    staging step). ``plan_from_events``: build only what the run's triggering raw tables feed
    and whose inputs exist, or the run conf's dbt selector (the transform). ``elsewhere``:
    {DAG id: models} that the producer builds too, whose tasks :func:`add_part_tasks` puts
    in those DAGs.
    """
    elsewhere = elsewhere or {}
    everything = [*models, *(m for part in elsewhere.values() for m in part)]
    names = {m.name for m in everything}
    tests = {m.name: graph.tests_of(m, names if cautious else None) for m in everything}
    producer = DbtProducerOperator(
        task_id=PRODUCER_TASK_ID,
        select=select or sorted(names),
        indirect_selection="cautious" if cautious else None,
        tests_per_model={m.unique_id: tests[m.name] for m in everything if tests[m.name]},
        model_assets={m.unique_id: asset_of[m.name] for m in everything},
        plan_from_events=plan_from_events,
        outlets=[alias],
        # A retry builds only the models whose tasks still wait (``awaiting``): it recovers a
        # producer whose process died, e.g. killed before dbt started.
        retries=1,
        retry_delay=timedelta(seconds=10),
    )
    # Within a task group (a source's ``stage``), the producer's id carries the group's prefix.
    tasks = _model_tasks(graph, models, tests, asset_of, producer_task_id=producer.task_id)
    producer.model_task_ids = {m.unique_id: tasks[m.name].task_id for m in models}
    producer.part_task_ids = {
        dag_id: {m.unique_id: model_task_id(m) for m in part} for dag_id, part in elsewhere.items()
    }
    return producer, tasks


def add_part_tasks(
    *, graph: Any, models: list, asset_of: dict[str, Any], producer_dag_id: str
) -> dict[str, BaseOperator]:
    """One task per model, as :func:`add_model_tasks` renders them, in a DAG without a
    producer: the producer of ``producer_dag_id`` starts this DAG's runs and builds these
    models (see ``elsewhere`` there)."""
    tests = {m.name: graph.tests_of(m, None) for m in models}
    return _model_tasks(graph, models, tests, asset_of, producer_dag_id=producer_dag_id)


def model_task_id(model: Any) -> str:
    """A model's task id: in its layer's task group."""
    return f"{model.layer}.{model.name}"


def _model_tasks(
    graph: Any,
    models: list,
    tests: dict[str, list[str]],
    asset_of: dict[str, Any],
    producer_task_id: str = PRODUCER_TASK_ID,
    producer_dag_id: str | None = None,
) -> dict[str, BaseOperator]:
    from airflow.sdk import TaskGroup

    names = {m.name for m in models}
    groups: dict[str, TaskGroup] = {}
    tasks: dict[str, BaseOperator] = {}
    for model in models:
        if model.layer not in groups:
            groups[model.layer] = TaskGroup(
                group_id=model.layer, tooltip=f"dbt models of the {model.layer} layer"
            )
        tasks[model.name] = DbtModelOperator(
            task_id=model.name,
            task_group=groups[model.layer],
            model_unique_id=model.unique_id,
            test_unique_ids=tests[model.name],
            producer_task_id=producer_task_id,
            producer_dag_id=producer_dag_id,
            outlets=[asset_of[model.name]],
            doc_md=f"dbt model `{model.name}` and its {len(tests[model.name])} tests.",
        )
    for model in models:
        for parent in model.parents:
            if parent in names:
                tasks[parent] >> tasks[model.name]
                tasks[model.name].start_trigger_args.trigger_kwargs["parent_task_ids"].append(
                    tasks[parent].task_id
                )
    by_uid = {m.unique_id: m for m in models}
    for model in models:
        # A test on several models (``relationships``) runs in a model's rerun only once the
        # other models' tables exist.
        tasks[model.name].test_partners = {
            test: [(by_uid[p].layer, by_uid[p].name) for p in partners if p != model.unique_id]
            for test in tests[model.name]
            if len(partners := [p for p in graph.test_parents.get(test, ()) if p in by_uid]) > 1
        }
    return tasks
