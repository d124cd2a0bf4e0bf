"""The production ingest path against the Airbyte API simulator over real HTTP: token exchange,
job creation, polling in the triggerer, a failed job, and cancellation on timeout."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import datetime

import pytest

from ol_platform.ingest.airbyte import AirbyteSyncOperator
from ol_platform.simulators.airbyte import AirbyteState, make_handler
from ol_platform.simulators.http import BackgroundServer

CONN_OK = "11111111-1111-1111-1111-111111111111"
CONN_FAILING = "22222222-2222-2222-2222-222222222222"
CONN_HANGING = "33333333-3333-3333-3333-333333333333"


@pytest.fixture
def airbyte(monkeypatch):
    # A fresh secret per test: the airbyte-api SDK caches tokens per client id and secret
    # for the whole process, and each simulator issues its own.
    state = AirbyteState(
        client_id="olp-client",
        client_secret=f"s3cret-{uuid.uuid4().hex}",
        connections={CONN_OK, CONN_FAILING, CONN_HANGING},
        failing={CONN_FAILING},
        hanging={CONN_HANGING},
        polls_to_finish=2,
    )
    with BackgroundServer(make_handler(state)) as server:
        conn = {
            "conn_type": "airbyte",
            "host": f"{server.url}/api/public/v1",
            "login": state.client_id,
            "password": state.client_secret,
        }
        monkeypatch.setenv("AIRFLOW_CONN_AIRBYTE_DEFAULT", json.dumps(conn))
        yield state


def hook():
    from airflow.providers.airbyte.hooks.airbyte import AirbyteHook

    return AirbyteHook(airbyte_conn_id="airbyte_default")


def run_trigger(job_id: int, **kwargs) -> dict:
    from airflow.providers.airbyte.triggers.airbyte import AirbyteSyncTrigger

    trigger = AirbyteSyncTrigger(
        job_id=job_id,
        conn_id="airbyte_default",
        end_time=kwargs.get("end_time", datetime.now().timestamp() + 60),
        poll_interval=0.05,
        execution_deadline=kwargs.get("execution_deadline"),
    )

    async def first_event():
        async for event in trigger.run():
            return event.payload

    return asyncio.run(first_event())


def test_health_answers_without_credentials(airbyte):
    ok, message = hook().test_connection()
    assert ok, message


def test_wrong_client_secret_is_refused(airbyte, monkeypatch):
    conn = json.loads(os.environ["AIRFLOW_CONN_AIRBYTE_DEFAULT"]) | {"password": "wrong"}
    monkeypatch.setenv("AIRFLOW_CONN_AIRBYTE_DEFAULT", json.dumps(conn))
    with pytest.raises(Exception, match="401"):
        hook().submit_sync_connection(CONN_OK)
    assert airbyte.jobs == {}


def test_sync_is_submitted_and_polled_to_success_in_the_trigger(airbyte):
    job = hook().submit_sync_connection(CONN_OK)
    assert job.status == "pending"
    event = run_trigger(job.job_id)
    assert event["status"] == "success"
    assert airbyte.jobs[job.job_id].status == "succeeded"
    assert airbyte.jobs[job.job_id].polls >= 2


def test_a_failed_job_fails_the_task_with_job_connection_and_name(airbyte):
    job = hook().submit_sync_connection(CONN_FAILING)
    event = run_trigger(job.job_id)
    assert event["status"] == "error"
    op = AirbyteSyncOperator(
        task_id="sync__mitxonline_app_postgres",
        connection_name="mitxonline_app_postgres",
        timeout_minutes=5,
    )
    op.connection_id = CONN_FAILING
    with pytest.raises(Exception) as info:
        op.execute_complete(context={}, event=event)
    message = str(info.value)
    assert (
        "mitxonline_app_postgres" in message
        and CONN_FAILING in message
        and str(job.job_id) in message
    )
    # Airbyte's own reason, fetched from its config API (the public job carries none).
    assert "Airbyte's reason: Source connector: connection refused by the source database" in (
        message
    )


def test_an_unreachable_reason_does_not_hide_the_failure(airbyte, monkeypatch):
    from ol_platform.ingest.airbyte import failure_reason

    conn = json.loads(os.environ["AIRFLOW_CONN_AIRBYTE_DEFAULT"])
    conn["extra"] = {"config_api_url": "http://127.0.0.1:9/api/v1"}
    monkeypatch.setenv("AIRFLOW_CONN_AIRBYTE_DEFAULT", json.dumps(conn))
    job = hook().submit_sync_connection(CONN_FAILING)
    assert failure_reason("airbyte_default", job.job_id, timeout=2).startswith("(not available:")


def test_the_operator_defers_after_submitting(airbyte):
    from airflow.providers.common.compat.sdk import TaskDeferred

    op = AirbyteSyncOperator(task_id="sync__x", connection_name="x", timeout_minutes=5)
    op.connection_id = CONN_OK
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context={})
    assert deferred.value.trigger.job_id == 1
    assert airbyte.jobs[1].connection_id == CONN_OK


def test_a_job_past_its_deadline_is_cancelled(airbyte):
    job = hook().submit_sync_connection(CONN_HANGING)
    event = run_trigger(job.job_id, execution_deadline=datetime.now().timestamp() + 0.3)
    assert event["status"] == "timeout"
    op = AirbyteSyncOperator(task_id="sync__x", connection_name="x", timeout_minutes=5)
    op.connection_id = CONN_HANGING
    with pytest.raises(Exception, match="execution timeout"):
        op.execute_complete(context={}, event=event)
    assert airbyte.jobs[job.job_id].status == "cancelled"


def test_a_second_sync_of_a_running_connection_is_refused(airbyte):
    hook().submit_sync_connection(CONN_HANGING)
    with pytest.raises(Exception, match="409"):
        hook().submit_sync_connection(CONN_HANGING)


def test_missing_connection_id_variable_is_a_clear_error(airbyte):
    op = AirbyteSyncOperator(
        task_id="sync__x", connection_name="xpro_app_postgres", timeout_minutes=5
    )
    op.connection_id = ""
    with pytest.raises(Exception, match="Variable 'airbyte_connection__xpro_app_postgres'"):
        op.execute(context={})
