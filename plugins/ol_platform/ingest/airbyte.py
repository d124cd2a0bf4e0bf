"""The production ingest path: a deferrable Airbyte sync per connection of a source.

Registry entries name their Airbyte connections; the deployment maps each name to the
connection's id in its Airbyte workspace with the Airflow Variable
``airbyte_connection__<name>``, resolved when the task runs.

At most one sync of a connection runs: before submitting, the task looks for the
connection's unfinished sync job and, when there is one (a previous try's, or one started in
Airbyte), waits for it instead of starting another; a submit that Airbyte refuses with 409
(a retried POST whose first attempt did start the job) looks again. Every request is retried
through the API's bad moments (see ``airbyte_client``); when the task gives up, the job is
cancelled (by the trigger, or here if the trigger could not), and ``on_kill`` cancels it too.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from typing import Any

from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from ol_platform.ingest.airbyte_client import (
    TERMINAL,
    AirbyteClient,
    AirbyteConfig,
    AirbyteError,
    AirbyteRequestError,
    SyncTarget,
    run_async,
)

SUBMIT_CONFLICTS = 3  # 409s in a row before giving up: each means a sync appeared meanwhile


def connection_variable(name: str) -> str:
    return f"airbyte_connection__{name}"


class AirbyteSyncOperator(AirbyteTriggerSyncOperator):
    """Trigger (or reattach to) one Airbyte connection's sync and wait for it in the triggerer.

    Failures name the source, the registry's connection name, the Airbyte connection id, the
    server and the job, with Airbyte's own reason for a failed job. Bad client credentials
    fail the task without retries.
    """

    def __init__(
        self,
        *,
        connection_name: str,
        timeout_minutes: int,
        source: str | None = None,
        poll_interval: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.connection_name = connection_name
        self.source = source
        self.poll_interval = poll_interval
        variable = connection_variable(connection_name)
        super().__init__(
            connection_id="{{ var.value.get('" + variable + "', '') }}",
            deferrable=True,
            execution_timeout=timedelta(minutes=timeout_minutes),
            timeout=timeout_minutes * 60,
            **kwargs,
        )
        self.job_id: int | None = None

    # -- helpers ---------------------------------------------------------------------------

    def _source(self) -> str:
        if self.source:
            return self.source
        dag_id = getattr(self, "dag_id", None) or ""
        return dag_id.removeprefix("ingest__") or "?"

    def _target(self, server: str = "?") -> SyncTarget:
        return SyncTarget(self._source(), self.connection_name, self.connection_id, server)

    def _client(self) -> AirbyteClient:
        from airflow.providers.common.compat.sdk import BaseHook

        config = AirbyteConfig.from_connection(BaseHook.get_connection(self.airbyte_conn_id))
        return AirbyteClient(config, self._target(config.server), log=self.log)

    # -- the task --------------------------------------------------------------------------

    def execute(self, context: Any) -> Any:
        if not self.connection_id:
            raise AirflowException(
                f"source '{self._source()}': Airbyte connection '{self.connection_name}' has no "
                f"id in this deployment: set the Airflow Variable "
                f"'{connection_variable(self.connection_name)}'"
            )
        client = self._client()
        job, reattached = run_async(lambda: start_or_reattach(client))
        self.job_id = int(job["jobId"])
        status = job.get("status")
        self.log.info(
            "%s: %s job %s (%s)",
            client.target,
            "reattached to running" if reattached else "started",
            self.job_id,
            status,
        )
        if status == "succeeded":
            return self.job_id
        if status in TERMINAL:
            message = f"{client.target}: job {self.job_id} ended with status {status!r}"
            event = {"status": "error", "job_id": self.job_id, "job_status": status}
            return self.execute_complete(context, event | {"message": message})
        from ol_platform.ingest.airbyte_trigger import AirbyteJobTrigger

        now = time.time()
        limit = self.execution_timeout.total_seconds() if self.execution_timeout else self.timeout
        config = client.config
        poll = config.poll_interval if self.poll_interval is None else self.poll_interval
        # Past the deadline the trigger still needs a poll and a cancel's retry budget.
        slack = poll + config.poll_retry_seconds + config.request_retry_seconds + 60
        self.defer(
            trigger=AirbyteJobTrigger(
                job_id=self.job_id,
                conn_id=self.airbyte_conn_id,
                source=self._source(),
                connection_name=self.connection_name,
                connection_id=self.connection_id,
                deadline=now + limit,
                poll_interval=self.poll_interval,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=limit + slack),
        )

    def execute_complete(self, context: Any, event: Any = None) -> Any:
        event = event or {}
        status, job_id = event.get("status"), event.get("job_id")
        self.job_id = job_id
        if status == "success":
            self.log.info("%s", event.get("message"))
            return job_id
        message = event.get("message") or f"Airbyte job {job_id}: {status}"
        if event.get("no_retry"):
            raise AirflowFailException(message)
        if event.get("cancel") == "failed" and job_id:
            message += f"; {self._cancel_quietly(int(job_id))}"
        if event.get("job_status") == "failed" and job_id:
            reason = failure_reason(self.airbyte_conn_id, int(job_id), target=self._target())
            message += f"; Airbyte's reason: {reason}"
        raise AirflowException(message)

    def on_kill(self) -> None:
        """The task is killed while it runs on a worker: cancel the job it started."""
        if self.job_id:
            self.log.info("on_kill: %s", self._cancel_quietly(int(self.job_id)))

    def _cancel_quietly(self, job_id: int) -> str:
        client = self._client()

        async def cancel() -> str:
            async with client:
                answer = await client.cancel_job(job_id)
            return f"cancelled job {job_id} (now {answer.get('status')})"

        try:
            return run_async(cancel)
        except AirbyteError as exc:
            self.log.error("%s", exc)
            return f"job {job_id} could not be cancelled: {exc}"


async def start_or_reattach(client: AirbyteClient) -> tuple[dict[str, Any], bool]:
    """The connection's unfinished sync job if it has one, else a new one: ``(job, reattached)``."""
    async with client:
        for _ in range(SUBMIT_CONFLICTS):
            running = await client.running_jobs()
            if running:
                return running[0], True
            try:
                return await client.submit_sync(), False
            except AirbyteRequestError as exc:
                if exc.status_code != 409:
                    raise
                client.log.warning("%s; looking for the running job", exc)
        raise AirflowException(
            f"{client.target}: Airbyte refused {SUBMIT_CONFLICTS} submits with 409 (a sync "
            "is running) but lists no running sync job"
        )


def failure_reason(
    airflow_conn_id: str, job_id: int, timeout: float = 15, target: SyncTarget | None = None
) -> str:
    """Airbyte's own explanation of a failed job, or why it cannot be had. Best effort: the
    task is failing anyway, and this lookup must not hide the original error."""
    from airflow.providers.common.compat.sdk import BaseHook

    try:
        config = AirbyteConfig.from_connection(BaseHook.get_connection(airflow_conn_id))
        config = dataclasses.replace(config, timeout=timeout)
        target = dataclasses.replace(target or SyncTarget("?", "?", "", ""), server=config.server)
        client = AirbyteClient(config, target)

        async def reason() -> str | None:
            async with client:
                return await client.failure_reason(job_id, budget=timeout)

        return run_async(reason) or "(none given)"
    except Exception as exc:  # the task's own error is what matters; say why there is no reason
        return f"(not available: {type(exc).__name__}: {exc})"
