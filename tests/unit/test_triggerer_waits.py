"""The platform's triggerer caps its two one-second idle waits: the runner's sleep between
syncs with its supervisor, and the supervisor's wait for the runner. Both are where a model
task that can end at once lost up to a second each way at every dbt dependency level."""

from __future__ import annotations

import asyncio
import time

import pytest

from ol_platform.orchestration.triggerer import WAIT, shorten_waits


@pytest.fixture
def triggerer(monkeypatch):
    from airflow.jobs import triggerer_job_runner as module

    # The patch replaces a module global and a class attribute: undo both after each test.
    monkeypatch.setattr(module, "anyio", module.anyio)
    monkeypatch.setattr(
        module.TriggerRunnerSupervisor,
        "_service_subprocess",
        module.TriggerRunnerSupervisor._service_subprocess,
    )
    return module


def test_the_runner_sleeps_between_syncs_at_most_the_short_wait(triggerer):
    shorten_waits()

    async def idle_loop_pass() -> float:
        started = time.monotonic()
        with triggerer.anyio.move_on_after(1):  # the runner loop's own call
            await triggerer.anyio.Event().wait()  # nothing to do: no stop requested
        return time.monotonic() - started

    waited = asyncio.run(idle_loop_pass())
    assert WAIT * 0.9 <= waited < 0.8  # Airflow's own wait is 1 s


@pytest.fixture
def asked(triggerer, monkeypatch) -> list[float]:
    """The waits the supervisor's own service loop is asked for, recorded instead of run."""
    asked: list[float] = []
    monkeypatch.setattr(
        triggerer.TriggerRunnerSupervisor,
        "_service_subprocess",
        lambda self, max_wait_time, *a, **k: asked.append(max_wait_time),
    )
    return asked


def test_the_supervisor_waits_for_its_runner_at_most_the_short_wait(triggerer, asked):
    shorten_waits()
    triggerer.TriggerRunnerSupervisor._service_subprocess(object(), 1)  # run_once's call
    triggerer.TriggerRunnerSupervisor._service_subprocess(object(), 0.05)  # shorter: as asked
    assert asked == [WAIT, 0.05]


def test_applying_it_twice_wraps_once(triggerer, asked):
    shorten_waits()
    shorten_waits()
    shorten_waits(0.3)  # a new value replaces the cap, it does not stack on it
    triggerer.TriggerRunnerSupervisor._service_subprocess(object(), 1)
    assert asked == [0.3]
    assert triggerer.anyio.Event is not None and hasattr(triggerer.anyio, "CancelScope")
