"""The Airbyte simulator behind an Airflow connection, and the steps of a real sync task:
the operator's ``execute`` (submit or reattach, then defer), the trigger's async generator
(as the triggerer runs it) and ``execute_complete``."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ol_platform.simulators.airbyte import AirbyteState, make_handler
from ol_platform.simulators.http import BackgroundServer

CONN_OK = "11111111-1111-1111-1111-111111111111"
CONN_FAILING = "22222222-2222-2222-2222-222222222222"
CONN_HANGING = "33333333-3333-3333-3333-333333333333"
SOURCE = "mitxonline"
NAME = "mitxonline_app_postgres"

# Small budgets so a give-up takes about a second; the client timeout is what a hung answer
# outlasts.
FAST = {
    "timeout": 0.5,
    "request_retry_seconds": 2,
    "poll_retry_seconds": 2,
    "backoff_base": 0.05,
    "backoff_max": 0.2,
    "poll_interval": 0.05,
}


class Simulator:
    def __init__(self, state: AirbyteState, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.state, self.url, self._monkeypatch = state, url, monkeypatch
        self.connect()

    @property
    def host(self) -> str:
        return f"{self.url}/api/public/v1"

    def connect(self, **changes: Any) -> None:
        """(Re)write the Airflow connection ``airbyte_default`` to this simulator."""
        conn = {
            "conn_type": "airbyte",
            "host": self.host,
            "login": self.state.client_id,
            "password": self.state.client_secret,
            "extra": dict(FAST),
        }
        extra = changes.pop("extra", {})
        conn.update(changes)
        conn["extra"].update(extra)
        self._monkeypatch.setenv("AIRFLOW_CONN_AIRBYTE_DEFAULT", json.dumps(conn))

    def secrets(self) -> list[str]:
        return [self.state.client_secret, *self.state.issued]


@pytest.fixture(name="airbyte")
def airbyte_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    # A fresh secret per test: the airbyte-api SDK caches tokens per client id and secret
    # for the whole process, and each simulator issues its own.
    state = AirbyteState(
        client_id="olp-client",
        client_secret=f"s3cret-{uuid.uuid4().hex}",
        connections={CONN_OK, CONN_FAILING, CONN_HANGING},
        failing={CONN_FAILING},
        hanging={CONN_HANGING},
        polls_to_finish=3,
    )
    with BackgroundServer(make_handler(state)) as server:
        yield Simulator(state, server.url, monkeypatch)


def operator(connection_id: str = CONN_OK, **kwargs: Any):
    from ol_platform.ingest.airbyte import AirbyteSyncOperator

    op = AirbyteSyncOperator(
        task_id=f"sync__{NAME}",
        connection_name=NAME,
        source=SOURCE,
        timeout_minutes=kwargs.pop("timeout_minutes", 5),
        **kwargs,
    )
    op.connection_id = connection_id  # what the Variable's template renders to
    return op


def defer(op) -> Any:
    """Run the operator's ``execute`` as a worker does; return the trigger it defers to."""
    from airflow.providers.common.compat.sdk import TaskDeferred

    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context={})
    trigger_cls, kwargs = deferred.value.trigger.serialize()
    assert trigger_cls == "ol_platform.ingest.airbyte_trigger.AirbyteJobTrigger"
    # The triggerer rebuilds the trigger from its serialized form: so do we.
    from ol_platform.ingest.airbyte_trigger import AirbyteJobTrigger

    return AirbyteJobTrigger(**json.loads(json.dumps(kwargs)))


def first_event(trigger) -> dict:
    async def run() -> dict:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(run())


def sync(op) -> Any:
    """One whole try of the task: execute, the trigger, execute_complete."""
    trigger = defer(op)
    return op.execute_complete(context={}, event=first_event(trigger))
