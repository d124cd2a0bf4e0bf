"""The production ingest path against the Airbyte API simulator over real HTTP: token exchange,
job creation, polling in the triggerer, a failed job, cancellation on timeout and on kill.
The simulator's faults (5xx, 429, expired tokens, hung answers...) are in
test_airbyte_faults.py."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.integration.airbyte_sim import (
    CONN_FAILING,
    CONN_HANGING,
    CONN_OK,
    NAME,
    SOURCE,
    airbyte_fixture,  # noqa: F401 - the fixture 'airbyte'
    defer,
    first_event,
    operator,
    sync,
)


def hook():
    from airflow.providers.airbyte.hooks.airbyte import AirbyteHook

    return AirbyteHook(airbyte_conn_id="airbyte_default")


# -- the simulator honours the contract the provider's SDK relies on ----------------------


def test_health_answers_without_credentials(airbyte):
    ok, message = hook().test_connection()
    assert ok, message


def test_wrong_client_secret_is_refused(airbyte):
    airbyte.connect(password="wrong")
    with pytest.raises(Exception, match="401"):
        hook().submit_sync_connection(CONN_OK)
    assert airbyte.state.jobs == {}


def test_a_second_sync_of_a_running_connection_is_refused(airbyte):
    hook().submit_sync_connection(CONN_HANGING)
    with pytest.raises(Exception, match="409"):
        hook().submit_sync_connection(CONN_HANGING)


# -- the operator and its trigger ----------------------------------------------------------


def test_sync_is_submitted_and_polled_to_success_in_the_trigger(airbyte):
    op = operator(CONN_OK)
    trigger = defer(op)
    assert trigger.job_id == 1 and airbyte.state.jobs[1].connection_id == CONN_OK
    event = first_event(trigger)
    assert event["status"] == "success"
    assert op.execute_complete(context={}, event=event) == 1
    assert airbyte.state.jobs[1].status == "succeeded"
    assert airbyte.state.jobs[1].polls >= 3
    assert airbyte.state.jobs_started == {CONN_OK: 1}


def test_a_failed_job_fails_the_task_with_job_connection_source_and_reason(airbyte):
    from airflow.providers.common.compat.sdk import AirflowFailException

    op = operator(CONN_FAILING)
    with pytest.raises(Exception) as info:
        sync(op)
    assert not isinstance(info.value, AirflowFailException)  # a task retry may succeed
    message = str(info.value)
    for part in (SOURCE, NAME, CONN_FAILING, "job 1", airbyte.host):
        assert part in message
    # Airbyte's own reason, fetched from its config API (the public job carries none).
    assert "Airbyte's reason: Source connector: connection refused by the source database" in (
        message
    )


def test_an_unreachable_reason_does_not_hide_the_failure(airbyte):
    from ol_platform.ingest.airbyte import failure_reason

    job = hook().submit_sync_connection(CONN_FAILING)
    airbyte.connect(extra={"config_api_url": "http://127.0.0.1:9/api/v1"})
    assert failure_reason("airbyte_default", job.job_id, timeout=1).startswith("(not available:")


def test_a_job_past_its_deadline_is_cancelled(airbyte):
    op = operator(CONN_HANGING)
    trigger = defer(op)
    trigger.deadline = time.time() + 0.3
    event = first_event(trigger)
    assert event["status"] == "timeout" and event["cancel"] == "done"
    assert airbyte.state.jobs[1].status == "cancelled"
    with pytest.raises(Exception, match="execution timeout") as info:
        op.execute_complete(context={}, event=event)
    assert NAME in str(info.value) and SOURCE in str(info.value)


def test_killing_the_deferred_task_cancels_the_job(airbyte):
    """Mark failed or clear while deferred: the triggerer cancels the trigger's task and
    then calls its ``on_kill``, as here."""
    trigger = defer(operator(CONN_HANGING))

    async def kill() -> None:
        polling = asyncio.ensure_future(first_event_async(trigger))
        # Kill it while it polls: once the job has been polled twice (a loaded machine may
        # take longer than any fixed sleep to get there).
        deadline = time.monotonic() + 30
        while not (1 in airbyte.state.jobs and airbyte.state.jobs[1].polls >= 2):
            assert time.monotonic() < deadline, "the trigger never polled the job twice"
            await asyncio.sleep(0.05)
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling
        await trigger.on_kill()

    asyncio.run(kill())
    assert airbyte.state.jobs[1].status == "cancelled"
    assert airbyte.state.jobs[1].polls >= 2  # it was polling when killed


async def first_event_async(trigger) -> dict:
    async for event in trigger.run():
        return event.payload
    raise AssertionError("no event")


def test_killing_the_task_on_its_worker_cancels_the_job(airbyte):
    op = operator(CONN_HANGING)
    defer(op)
    op.on_kill()
    assert airbyte.state.jobs[1].status == "cancelled"


def test_missing_connection_id_variable_is_a_clear_error(airbyte):
    op = operator("")
    with pytest.raises(Exception, match="Variable 'airbyte_connection__mitxonline_app_postgres'"):
        op.execute(context={})
    assert airbyte.state.requests == []
