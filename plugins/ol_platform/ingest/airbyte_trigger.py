"""Wait for one Airbyte job in the triggerer, through the API's bad moments.

A failed poll (401, 5xx, 429, timeout, connection error) is retried with backoff, a fresh
token on 401, for ``poll_retry_seconds`` of consecutive failures; a successful poll resets
that budget. When the trigger gives up (budget spent, deadline reached, the job's id unknown)
it cancels the job before reporting, so a task retry never finds a stray sync; when a user
marks the deferred task failed or clears it, ``on_kill`` cancels the job. A triggerer restart
cancels nothing: the trigger resumes on another triggerer.

Events: ``{"status": "success" | "error" | "timeout" | "cancelled", "job_id", "message",
"job_status", "cancel", "no_retry"}``; ``cancel`` says whether a give-up cancelled the job
(``done``) or could not (``failed``); ``no_retry`` marks what a task retry cannot fix (the
credentials or the connection's settings).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.common.compat.sdk import AirflowFailException
from airflow.triggers.base import BaseTrigger, TriggerEvent

from ol_platform.ingest.airbyte_client import (
    RUNNING,
    AirbyteClient,
    AirbyteConfig,
    AirbyteCredentialsError,
    AirbyteError,
    SyncTarget,
)

# on_kill has the triggerer's ``on_kill_timeout`` (30 s by default) to cancel the job.
ON_KILL_CANCEL_SECONDS = 25.0


class AirbyteJobTrigger(BaseTrigger):
    def __init__(
        self,
        *,
        job_id: int,
        conn_id: str,
        source: str,
        connection_name: str,
        connection_id: str,
        deadline: float,
        poll_interval: float | None = None,
    ) -> None:
        super().__init__()
        self.job_id = job_id
        self.conn_id = conn_id
        self.source = source
        self.connection_name = connection_name
        self.connection_id = connection_id
        self.deadline = deadline
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_id": self.job_id,
                "conn_id": self.conn_id,
                "source": self.source,
                "connection_name": self.connection_name,
                "connection_id": self.connection_id,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
            },
        )

    async def _client(self) -> AirbyteClient:
        from airflow.sdk.bases.hook import BaseHook

        config = AirbyteConfig.from_connection(await BaseHook.aget_connection(self.conn_id))
        target = SyncTarget(self.source, self.connection_name, self.connection_id, config.server)
        return AirbyteClient(config, target, log=self.log)

    def _event(self, status: str, message: str, **extra: Any) -> TriggerEvent:
        return TriggerEvent({"status": status, "job_id": self.job_id, "message": message} | extra)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            client = await self._client()
        except AirflowFailException as exc:  # a bad connection: nothing to cancel with
            yield self._event("error", str(exc), no_retry=True, cancel="failed")
            return
        async with client:
            async for event in self._poll(client):
                yield event
                return

    async def _poll(self, client: AirbyteClient) -> AsyncIterator[TriggerEvent]:
        job = f"{client.target}: job {self.job_id}"
        interval = client.config.poll_interval if self.poll_interval is None else self.poll_interval
        while True:
            remaining = self.deadline - time.time()
            if remaining <= 0:
                cancel = await self._cancel(client, "its execution timeout")
                yield self._event(
                    "timeout",
                    f"{job} reached its execution timeout; cancel: {cancel}",
                    cancel=cancel,
                )
                return
            try:
                # Consecutive failed polls get poll_retry_seconds, never past the deadline.
                budget = min(client.config.poll_retry_seconds, remaining)
                status = (await client.get_job(self.job_id, budget=budget)).get("status")
            except AirbyteCredentialsError as exc:
                yield self._event("error", str(exc), no_retry=True, cancel="failed")
                return
            except AirbyteError as exc:
                if time.time() >= self.deadline:
                    continue  # the timeout branch cancels and reports
                cancel = await self._cancel(client, "the poll errors")
                yield self._event(
                    "error", f"{exc}; job {self.job_id}: cancel: {cancel}", cancel=cancel
                )
                return
            if status in RUNNING:
                await asyncio.sleep(min(interval, max(0.0, self.deadline - time.time())))
            elif status == "succeeded":
                yield self._event("success", f"{job} succeeded", job_status=status)
                return
            elif status == "cancelled":
                yield self._event("cancelled", f"{job} was cancelled in Airbyte", job_status=status)
                return
            else:  # failed, or a status this code does not know
                yield self._event("error", f"{job} ended with status {status!r}", job_status=status)
                return

    async def _cancel(self, client: AirbyteClient, why: str) -> str:
        """Cancel the job because the task gives up; say whether it worked."""
        try:
            answer = await client.cancel_job(self.job_id)
        except AirbyteError as exc:
            self.log.error("could not cancel job %s after %s: %s", self.job_id, why, exc)
            return "failed"
        self.log.warning(
            "%s: cancelled job %s after %s (now %s)",
            client.target,
            self.job_id,
            why,
            answer.get("status"),
        )
        return "done"

    async def on_kill(self) -> None:
        """The user marked the deferred task failed or cleared it: cancel the job."""
        client = await self._client()
        async with client:
            await client.cancel_job(self.job_id, budget=ON_KILL_CANCEL_SECONDS)
            self.log.info("%s: cancelled job %s (task killed)", client.target, self.job_id)
