"""Airbyte syncs against an API that misbehaves as real ones do (transient 5xx, 429 with
Retry-After, tokens expired or revoked mid-sync, slow, hung and dropped answers, bad
credentials), through the real operator and trigger over real HTTP.

What a user depends on: a transient fault costs a retry, not the task; when the task gives up
the Airbyte job is cancelled; a task retry reattaches to a running job rather than starting a
second sync; bad credentials fail at once; every message names the source, the Airbyte
connection and the server, and no message or log line holds a secret.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

from ol_platform.simulators.airbyte import TERMINAL, AirbyteState
from tests.integration.airbyte_sim import (
    CONN_HANGING,
    CONN_OK,
    NAME,
    SOURCE,
    Simulator,
    airbyte_fixture,  # noqa: F401 - the fixture 'airbyte'
    defer,
    first_event,
    operator,
    sync,
)


def fail_exc():
    from airflow.providers.common.compat.sdk import AirflowFailException

    return AirflowFailException


def assert_names_everything(message: str, sim: Simulator, connection_id: str) -> None:
    for part in (f"source '{SOURCE}'", f"'{NAME}'", connection_id, sim.host):
        assert part in message, f"{part!r} missing from: {message}"
    assert_no_secret(message, sim)


def assert_no_secret(text: str, sim: Simulator) -> None:
    leaked = [s for s in sim.secrets() if s in text]
    assert not leaked, f"secrets in output: {len(leaked)}"


# -- polls ---------------------------------------------------------------------------------

# Each fault, set once the task has deferred, and a line the retry logs when it meets it.
POLL_FAULTS: dict[str, tuple[Callable[[AirbyteState], None], str | None]] = {
    "5xx on three polls": (lambda s: s.add_fault("get_job", status=503, count=3), "HTTP 503"),
    "429 with Retry-After": (
        lambda s: s.add_fault("get_job", status=429, retry_after=0.1, count=2),
        "HTTP 429",
    ),
    "a hung answer (past the client timeout)": (
        lambda s: s.add_fault("get_job", status=0, delay=1.0),
        "timed out after 0.5s",
    ),
    "slow answers (within the client timeout)": (
        lambda s: s.add_fault("get_job", status=0, delay=0.2, count=3),
        None,
    ),
    "connection dropped unanswered": (
        lambda s: s.add_fault("get_job", drop=True, count=2),
        "connection failed",
    ),
    "token revoked mid-sync": (lambda s: setattr(s, "revoke_at_poll", 2), "HTTP 401"),
    "token expires after 2 uses": (lambda s: setattr(s, "token_max_uses", 2), "HTTP 401"),
    "token expires after 0.1 s": (lambda s: setattr(s, "token_ttl", 0.1), "HTTP 401"),
    "token endpoint 5xx while fetching a token": (
        lambda s: s.add_fault("token", status=502, count=2),
        "token endpoint: HTTP 502",
    ),
}


@pytest.mark.parametrize("fault", POLL_FAULTS, ids=list(POLL_FAULTS))
def test_transient_poll_errors_are_retried_and_the_sync_succeeds(airbyte, capfd, fault):
    inject, logged = POLL_FAULTS[fault]
    op = operator(CONN_OK)
    trigger = defer(op)
    inject(airbyte.state)
    event = first_event(trigger)
    assert event["status"] == "success", event
    assert op.execute_complete(context={}, event=event) == 1
    assert airbyte.state.jobs_started == {CONN_OK: 1}
    assert airbyte.state.jobs[1].status == "succeeded"
    output = "".join(capfd.readouterr())
    if logged is None:
        assert "retrying in" not in output
    else:
        assert logged in output and f"source '{SOURCE}'" in output
    assert_no_secret(output, airbyte)


GIVE_UPS = {
    "5xx": {"status": 503},
    "429": {"status": 429, "retry_after": 0.05},
    "401 even with fresh tokens": {"status": 401},
    "hung answers": {"status": 0, "delay": 1.0},
    "dropped connections": {"drop": True},
}


@pytest.mark.parametrize("fault", GIVE_UPS, ids=list(GIVE_UPS))
def test_poll_errors_past_the_budget_fail_the_try_and_cancel_the_job(airbyte, capfd, fault):
    op = operator(CONN_HANGING)
    trigger = defer(op)
    airbyte.state.add_fault("get_job", count=10_000, **GIVE_UPS[fault])
    event = first_event(trigger)
    assert event["status"] == "error" and event["cancel"] == "done", event
    assert airbyte.state.jobs[1].status == "cancelled"
    with pytest.raises(Exception) as info:
        op.execute_complete(context={}, event=event)
    assert not isinstance(info.value, fail_exc())  # a later try may find Airbyte healthy
    message = str(info.value)
    assert_names_everything(message, airbyte, CONN_HANGING)
    assert "GET /jobs/1" in message and "retry budget 2s" in message
    assert_no_secret("".join(capfd.readouterr()), airbyte)


def test_a_give_up_whose_cancel_fails_is_cancelled_by_the_task(airbyte):
    op = operator(CONN_HANGING)
    trigger = defer(op)
    airbyte.state.add_fault("get_job", status=503, count=10_000)
    airbyte.state.add_fault("cancel_job", status=503, count=10_000)
    event = first_event(trigger)
    assert event["status"] == "error" and event["cancel"] == "failed"
    assert airbyte.state.jobs[1].status not in TERMINAL
    airbyte.state.faults.clear()  # Airbyte is back when the worker takes over
    with pytest.raises(Exception, match="cancelled job 1"):
        op.execute_complete(context={}, event=event)
    assert airbyte.state.jobs[1].status == "cancelled"


# -- one sync at a time --------------------------------------------------------------------


def test_a_retry_reattaches_to_the_running_job_instead_of_starting_another(airbyte):
    # Try 1 defers, then every poll and cancel fails until it gives up: the job keeps running.
    first = operator(CONN_HANGING)
    trigger = defer(first)
    airbyte.state.add_fault("get_job", status=503, count=10_000)
    airbyte.state.add_fault("cancel_job", status=503, count=10_000)
    with pytest.raises(Exception, match="could not be cancelled"):
        first.execute_complete(context={}, event=first_event(trigger))
    assert airbyte.state.jobs[1].status not in TERMINAL
    # Try 2, a new operator instance as in a new task process, with Airbyte healthy again.
    airbyte.state.faults.clear()
    airbyte.state.hanging.clear()
    second = operator(CONN_HANGING)
    trigger = defer(second)
    assert trigger.job_id == 1
    assert second.execute_complete(context={}, event=first_event(trigger)) == 1
    assert airbyte.state.jobs_started == {CONN_HANGING: 1}
    assert ("create_job", 200) in airbyte.state.requests  # only try 1 submitted
    assert airbyte.state.requests.count(("create_job", 200)) == 1


LOST_SUBMITS = {
    "502 after the job started": {"status": 502, "after": True},
    "dropped after the job started": {"drop": True, "after": True},
    "hung past the client timeout": {"status": 0, "delay": 1.0},
}


@pytest.mark.parametrize("fault", LOST_SUBMITS, ids=list(LOST_SUBMITS))
def test_a_submit_whose_answer_was_lost_does_not_start_a_second_sync(airbyte, fault):
    airbyte.state.add_fault("create_job", **LOST_SUBMITS[fault])
    trigger = defer(operator(CONN_HANGING))
    assert trigger.job_id == 1
    assert airbyte.state.jobs_started == {CONN_HANGING: 1}
    assert list(airbyte.state.jobs) == [1]


# -- submit --------------------------------------------------------------------------------

SUBMIT_FAULTS = {
    "5xx on submit": ("create_job", {"status": 503, "count": 2}),
    "429 with Retry-After on submit": ("create_job", {"status": 429, "retry_after": 0.1}),
    "5xx from the token endpoint": ("token", {"status": 500, "count": 2}),
    "5xx listing running jobs": ("list_jobs", {"status": 502, "count": 2}),
    "a dropped connection": ("create_job", {"drop": True}),
    "a slow token endpoint": ("token", {"status": 0, "delay": 0.2}),
}


@pytest.mark.parametrize("fault", SUBMIT_FAULTS, ids=list(SUBMIT_FAULTS))
def test_transient_submit_errors_are_retried_in_the_task(airbyte, fault):
    route, spec = SUBMIT_FAULTS[fault]
    airbyte.state.add_fault(route, **spec)
    op = operator(CONN_OK)
    assert sync(op) == 1
    assert airbyte.state.jobs_started == {CONN_OK: 1}
    assert airbyte.state.snapshot()["faults"][route] == []  # the fault was met


def test_a_submit_past_its_budget_fails_naming_source_connection_and_server(airbyte):
    from ol_platform.ingest.airbyte_client import AirbyteUnavailableError

    airbyte.state.add_fault("create_job", status=503, count=10_000)
    with pytest.raises(AirbyteUnavailableError) as info:
        operator(CONN_OK).execute(context={})
    assert not isinstance(info.value, fail_exc())
    assert_names_everything(str(info.value), airbyte, CONN_OK)
    assert "POST /jobs" in str(info.value) and "HTTP 503" in str(info.value)
    assert airbyte.state.jobs_started == {}


def test_an_unreachable_server_fails_naming_it(airbyte):
    airbyte.connect(host="http://olp:hunter2@127.0.0.1:9/api/public/v1")
    with pytest.raises(Exception) as info:
        operator(CONN_OK).execute(context={})
    message = str(info.value)
    assert "http://127.0.0.1:9/api/public/v1" in message and "connection failed" in message
    assert "hunter2" not in message and f"'{NAME}'" in message


def test_retry_after_is_honoured_and_backoff_is_jittered(airbyte):
    from airflow.providers.common.compat.sdk import BaseHook

    from ol_platform.ingest.airbyte_client import AirbyteClient, AirbyteConfig, SyncTarget

    config = AirbyteConfig.from_connection(BaseHook.get_connection("airbyte_default"))
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    client = AirbyteClient(config, SyncTarget(SOURCE, NAME, CONN_OK, config.server), sleep=record)
    airbyte.state.add_fault("create_job", status=429, retry_after=1.5)

    async def submit() -> dict:
        async with client:
            return await client.submit_sync(budget=5)

    assert asyncio.run(submit())["status"] == "pending"
    assert slept == [1.5]  # the server's wait, not the 0.05 s backoff
    client.rng = random.Random(7)
    delays = [client.backoff(n) for n in range(1, 9) for _ in range(20)]
    ceiling = [min(config.backoff_max, config.backoff_base * 2 ** (n - 1)) for n in range(1, 9)]
    assert all(0 <= d <= ceiling[i // 20] for i, d in enumerate(delays))
    assert len(set(delays)) == len(delays)  # jittered: no two tasks come back in step


# -- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_bad_credentials_fail_at_once_without_task_retries(airbyte, capfd, status):
    airbyte.state.bad_credentials_status = status
    airbyte.connect(password="wrong-secret-4c1d")
    with pytest.raises(fail_exc()) as info:
        operator(CONN_OK).execute(context={})
    message = str(info.value)
    assert_names_everything(message, airbyte, CONN_OK)
    assert f"refused the client credentials (HTTP {status})" in message
    assert "wrong-secret-4c1d" not in message + "".join(capfd.readouterr())
    assert airbyte.state.requests == [("token", status)]  # one request, no retry
    assert airbyte.state.jobs_started == {}


def test_credentials_revoked_mid_sync_fail_at_once(airbyte):
    op = operator(CONN_HANGING)
    trigger = defer(op)
    airbyte.state.client_secret = "rotated-in-airbyte"  # the application's secret was reset
    airbyte.state.revoke_tokens()
    event = first_event(trigger)
    assert event["no_retry"] is True
    with pytest.raises(fail_exc()) as info:
        op.execute_complete(context={}, event=event)
    assert_names_everything(str(info.value), airbyte, CONN_HANGING)


def test_the_client_secret_and_every_token_are_masked(airbyte):
    from airflow.sdk._shared.secrets_masker import redact

    airbyte.state.token_max_uses = 2  # several tokens over one sync
    sync(operator(CONN_OK))
    assert len(airbyte.state.issued) >= 3
    for secret in airbyte.secrets():
        assert secret not in redact(f"Authorization: Bearer {secret}")


# -- the simulator's HTTP control ----------------------------------------------------------


def test_faults_can_be_set_over_http(airbyte):
    control = f"{airbyte.url}/_simulator"
    answer = httpx.post(f"{control}/faults", json={"route": "get_job", "status": 500, "count": 2})
    assert answer.status_code == 200 and answer.json()["get_job"][0]["count"] == 2
    assert httpx.post(f"{control}/faults", json={"route": "nope"}).status_code == 400
    assert sync(operator(CONN_OK)) == 1
    assert airbyte.state.requests.count(("get_job", 500)) == 2
    state = httpx.get(f"{control}/state").json()
    assert state["jobs_started"] == {CONN_OK: 1} and state["jobs"]["1"]["status"] == "succeeded"
    assert httpx.post(f"{control}/revoke").json() == {"revoked": True}
    assert airbyte.state.tokens == {}


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"poll_retry_seconds": "lots"}, "poll_retry_seconds"), ({"timeout": 0}, "timeout")],
)
def test_bad_retry_settings_fail_at_once_naming_the_connection_and_field(airbyte, extra, field):
    airbyte.connect(extra=extra)
    with pytest.raises(fail_exc(), match=f"Airflow connection 'airbyte_default': extra '{field}'"):
        operator(CONN_OK).execute(context={})
    assert airbyte.state.requests == []
