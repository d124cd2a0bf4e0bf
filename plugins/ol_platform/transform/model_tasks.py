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
- **Asset events stay exact.** A task ended from the triggerer emits no event for its outlets,
  so the producer emits, through an ``AssetAlias``, the Asset of each model whose build and
  tests passed, when it ends; a model rerun on a worker emits its own Asset as any task does.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.triggers.base import (
    BaseTrigger,
    StartTriggerArgs,
    TaskFailedEvent,
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


def _key(unique_id: str, suffix: str) -> str:
    # Cosmos's keys: dots in unique ids become "__".
    return f"{unique_id.replace('.', '__')}_{suffix}"


def alias_name(dag_id: str) -> str:
    return f"dbt-models__{dag_id}"


class ModelResultTrigger(BaseTrigger):
    """Ends a model's task from the producer's results, or hands it to a worker to rerun."""

    def __init__(
        self,
        model_unique_id: str,
        test_unique_ids: list[str] | None = None,
        producer_task_id: str = PRODUCER_TASK_ID,
        poke_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self.model_unique_id = model_unique_id
        self.test_unique_ids = list(test_unique_ids or [])
        self.producer_task_id = producer_task_id
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            TRIGGER_CLASSPATH,
            {
                "model_unique_id": self.model_unique_id,
                "test_unique_ids": self.test_unique_ids,
                "producer_task_id": self.producer_task_id,
                "poke_interval": self.poke_interval,
            },
        )

    async def _xcom(self, key: str) -> Any:
        from airflow.sdk.execution_time.xcom import XCom
        from asgiref.sync import sync_to_async

        ti = self.task_instance
        return await sync_to_async(XCom.get_one)(
            run_id=ti.run_id, key=key, task_id=self.producer_task_id, dag_id=ti.dag_id
        )

    async def _producer_state(self) -> str | None:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
        from asgiref.sync import sync_to_async

        ti = self.task_instance
        states = await sync_to_async(RuntimeTaskInstance.get_task_states)(
            dag_id=ti.dag_id, task_ids=[self.producer_task_id], run_ids=[ti.run_id]
        )
        return (states.get(ti.run_id) or {}).get(self.producer_task_id)

    async def _log_node(self, unique_id: str) -> None:
        lines = await self._xcom(_key(unique_id, "log")) or []
        for line in lines:
            self.log.info("%s", line)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        name = self.model_unique_id.split(".")[-1]
        try_number = getattr(self.task_instance, "try_number", 1) or 1
        if try_number > 1:
            self.log.info("try %s of %s: rerunning the model and its tests", try_number, name)
            yield TriggerEvent({"rerun": True, "reason": f"try {try_number}"})
            return
        while True:
            result = await self._xcom(_key(self.model_unique_id, "status"))
            status = (result or {}).get("status") if isinstance(result, dict) else result
            producer = await self._producer_state()
            if status is not None and (status not in SUCCESS_STATES or await self._tests_done()):
                break
            if producer in ("success", "failed", "skipped", "upstream_failed", "removed"):
                if status is None:
                    self.log.warning(
                        "the producer ended (%s) without a result for %s: rerunning it",
                        producer,
                        name,
                    )
                    yield TriggerEvent({"rerun": True, "reason": f"producer {producer}"})
                    return
                break  # it ran, but some of its tests have no result: judged below
            await asyncio.sleep(self.poke_interval)

        self.log.info("dbt build of %s (from %s)", name, self.producer_task_id)
        await self._log_node(self.model_unique_id)
        sql = await self._xcom(_key(self.model_unique_id, "compiled_sql"))
        if sql:
            self.log.info("compiled SQL of %s:\n%s", name, sql)
        failed = [] if status in SUCCESS_STATES else [f"{name}: {status}"]
        for test_id in self.test_unique_ids:
            await self._log_node(test_id)
            test = await self._xcom(_key(test_id, "status"))
            test_status = (test or {}).get("status") if isinstance(test, dict) else test
            if test_status not in SUCCESS_STATES and status in SUCCESS_STATES:
                failed.append(f"{test_id.split('.')[-2]}: {test_status or 'no result'}")
        if status == "skipped":
            # dbt skipped it (an upstream outside this DAG failed): rerun once inputs exist.
            yield TriggerEvent({"rerun": True, "reason": "skipped by the producer"})
        elif failed:
            self.log.error("%s failed: %s", name, "; ".join(failed))
            yield TaskFailedEvent()
        else:
            self.log.info("%s and its %d tests passed", name, len(self.test_unique_ids))
            yield TaskSuccessEvent()

    async def _tests_done(self) -> bool:
        if not self.test_unique_ids:
            return True
        model = self.model_unique_id
        aggregated = await self._xcom(f"{model.replace('.', '__')}_tests_status")
        return aggregated is not None


class DbtModelOperator(BaseOperator):
    """A dbt model and its tests; starts in the triggerer, reruns on a worker when asked to."""

    ui_color = "#ff8f6b"
    start_from_trigger = True

    def __init__(self, *, model_unique_id: str, test_unique_ids: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_unique_id = model_unique_id
        self.test_unique_ids = list(test_unique_ids)
        self.start_trigger_args = StartTriggerArgs(
            trigger_cls=TRIGGER_CLASSPATH,
            trigger_kwargs={
                "model_unique_id": model_unique_id,
                "test_unique_ids": self.test_unique_ids,
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

        # The model and the tests attached to it, as the producer built them.
        name = self.model_unique_id.split(".")[-1]
        build = cosmos_build(
            task_id=self.task_id,
            select=[name],
            indirect_selection="cautious",
            cache_key=f"{self.dag_id}__{self.task_id}",
        )
        return build.execute(context)


class DbtProducerOperator(BaseOperator):
    """One ``dbt build`` of the selection, feeding the model tasks through XCom."""

    ui_color = "#ff694b"

    def __init__(
        self,
        *,
        select: list[str],
        tests_per_model: dict[str, list[str]],
        model_assets: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.select = list(select)
        self.tests_per_model = tests_per_model
        self.model_assets = model_assets

    def cosmos_operator(self):
        from functools import partial

        from cosmos import settings as cosmos_settings
        from cosmos.cache import _obtain_cache_dir_path
        from cosmos.constants import InvocationMode
        from cosmos.operators.watcher import DbtProducerWatcherOperator

        from ol_platform.settings import get_settings
        from ol_platform.transform.artifacts import keep_artifacts
        from ol_platform.transform.cosmos_config import operator_args, profile_config
        from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

        settings = get_settings()
        args = operator_args(settings)
        lines: dict[str, list[str]] = {}

        class Producer(DbtProducerWatcherOperator):
            def _make_parse_callable(self):
                parse = super()._make_parse_callable()
                return partial(_keep_node_lines, parse=parse, lines=lines)

        return Producer(
            task_id=self.task_id,
            project_dir=DBT_PROJECT_DIR,
            profile_config=profile_config(settings),
            dbt_executable_path=DBT_EXECUTABLE,
            invocation_mode=InvocationMode.SUBPROCESS,
            install_deps=False,
            select=self.select,
            tests_per_model=self.tests_per_model,
            callback=keep_artifacts,
            cache_dir=(
                _obtain_cache_dir_path(f"{self.dag_id}__{self.task_id}")
                if cosmos_settings.enable_cache
                else None
            ),
            **args,
        )

    def execute(self, context: Any) -> Any:
        ti = context["ti"]
        error: Exception | None = None
        try:
            self.cosmos_operator().execute(context)
        except Exception as exc:  # a node failed, or dbt itself did: told apart below
            error = exc
        passed, failed = [], []
        for unique_id, asset in self.model_assets.items():
            result = ti.xcom_pull(task_ids=self.task_id, key=_key(unique_id, "status"))
            status = (result or {}).get("status") if isinstance(result, dict) else result
            tests = ti.xcom_pull(task_ids=self.task_id, key=_key(unique_id, "tests_status"))
            ok = status in SUCCESS_STATES and (
                not self.tests_per_model.get(unique_id) or tests in SUCCESS_STATES
            )
            (passed if ok else failed).append(unique_id)
            if ok:
                context["outlet_events"][self.outlets[0]].add(asset)
        self.log.info(
            "dbt build: %d models passed with their tests, %d did not (their tasks say why)",
            len(passed),
            len(failed),
        )
        if error is not None and not failed:
            raise error  # dbt broke without a node to blame: the run fails here
        return {"passed": len(passed), "failed": len(failed)}


def _keep_node_lines(line: str, extra_kwargs: Any, *, parse, lines: dict[str, list[str]]) -> None:
    """Collect each node's dbt log lines; push them when the node finishes."""
    parse(line, extra_kwargs)
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return
    data = record.get("data") or {}
    node = data.get("node_info") or {}
    unique_id = node.get("unique_id")
    if not unique_id:
        return
    message = (record.get("info") or {}).get("msg")
    if message:
        lines.setdefault(unique_id, []).append(message)
    if node.get("node_status") in (*SUCCESS_STATES, *FAILED_STATES, "skipped", "warn"):
        ti = ((extra_kwargs or {}).get("context") or {}).get("ti")
        if ti is not None and node.get("node_finished_at"):
            ti.xcom_push(key=_key(unique_id, "log"), value=lines.get(unique_id, []))


def add_model_tasks(
    *,
    select: list[str],
    models: list,
    layer_of: dict[str, str],
    asset_of: dict[str, Any],
    alias: Any,
    producer_task_id: str = PRODUCER_TASK_ID,
) -> tuple[BaseOperator, dict[str, BaseOperator]]:
    """The producer and one task per model, in a task group per layer, wired as dbt orders them.

    ``models``: the project graph's models to render (``ol_platform.transform.project.Model``).
    """
    from airflow.sdk import TaskGroup

    wanted = {m.name for m in models}
    producer = DbtProducerOperator(
        task_id=producer_task_id,
        select=select,
        tests_per_model={m.unique_id: list(m.tests) for m in models if m.tests},
        model_assets={m.unique_id: asset_of[m.name] for m in models},
        outlets=[alias],
        retries=0,  # a retried producer would rebuild everything: model tasks retry instead
    )
    groups: dict[str, TaskGroup] = {}
    tasks: dict[str, BaseOperator] = {}
    for model in models:
        layer = layer_of[model.name]
        if layer not in groups:
            groups[layer] = TaskGroup(group_id=layer, tooltip=f"dbt models of the {layer} layer")
        tasks[model.name] = DbtModelOperator(
            task_id=model.name,
            task_group=groups[layer],
            model_unique_id=model.unique_id,
            test_unique_ids=list(model.tests),
            outlets=[asset_of[model.name]],
            doc_md=f"dbt model `{model.name}` and its {len(model.tests)} tests.",
        )
    for model in models:
        for parent in model.parents:
            if parent in wanted:
                tasks[parent] >> tasks[model.name]
    return producer, tasks
