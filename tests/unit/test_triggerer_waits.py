"""The platform's triggerer caps its two one-second idle waits: the runner's sleep between
syncs with its supervisor, and the supervisor's wait for the runner. Both are where a model
task that can end at once lost up to a second each way at every dbt dependency level."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import time
from types import SimpleNamespace

import pytest

from ol_platform.orchestration.triggerer import WAIT, WAKE_SIGNAL, shorten_waits, wake_on_events


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
    for cls, name in (
        (module.TriggerRunner, "__init__"),
        (module.TriggerRunner, "arun"),
        (module.TriggerRunnerSupervisor, "update_triggers"),
    ):
        monkeypatch.setattr(cls, name, getattr(cls, name))
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


async def sleep_once(module) -> float:
    """One idle pass of the runner loop's sleep (its own call), timed."""
    started = time.monotonic()
    with module.anyio.move_on_after(1):
        await module.anyio.Event().wait()
    return time.monotonic() - started


def test_a_fired_event_ends_the_runners_sleep_and_only_that_sleep(triggerer):
    """A trigger's event wakes the runner to sync at once; an event fired while it was not
    sleeping does not cut its next sleep short."""
    shorten_waits()
    wake_on_events()
    runner = triggerer.TriggerRunner()

    async def scenario() -> tuple[float, float]:
        async def fire() -> None:
            await asyncio.sleep(0.05)
            runner.events.append("event")  # what run_trigger does with a fired event

        firing = asyncio.create_task(fire())
        woken = await sleep_once(triggerer)
        await firing
        runner.events.append("another")  # between sleeps: nothing to wake
        return woken, await sleep_once(triggerer)

    woken, next_sleep = asyncio.run(scenario())
    assert woken < 0.25  # the event came 0.05 s in; the sleep would have lasted WAIT
    assert next_sleep >= WAIT * 0.9
    assert list(runner.events) == ["event", "another"]  # queued for the sync, as before


def test_without_the_patch_an_event_waits_for_the_sleep_to_end(triggerer):
    shorten_waits()
    runner = triggerer.TriggerRunner()

    async def scenario() -> float:
        asyncio.get_running_loop().call_later(0.05, runner.events.append, "event")
        return await sleep_once(triggerer)

    assert asyncio.run(scenario()) >= WAIT * 0.9


def test_a_supervisor_with_new_triggers_wakes_its_sleeping_runner(triggerer, monkeypatch):
    """The supervisor signals its runner when it has triggers for it, and only then; the
    runner's loop, once up, ends its sleep on that signal and syncs."""
    shorten_waits()

    def update_triggers(self, requested):  # Airflow's: queue workloads for the new ids
        self.creating_triggers.extend(sorted(requested - self.known))
        self.known |= requested

    async def arun(self) -> float:  # the runner's loop: one idle sleep, timed
        asyncio.get_running_loop().call_later(0.05, supervisor.update_triggers, {7})
        return await sleep_once(triggerer)

    monkeypatch.setattr(triggerer.TriggerRunnerSupervisor, "update_triggers", update_triggers)
    monkeypatch.setattr(triggerer.TriggerRunner, "arun", arun)
    wake_on_events()
    sent: list[int] = []
    kill = os.kill
    monkeypatch.setattr(os, "kill", lambda pid, sig: (sent.append(sig), kill(pid, sig)))
    supervisor = SimpleNamespace(
        pid=os.getpid(), creating_triggers=collections.deque(), cancelling_triggers=set(),
        known=set(),
    )  # fmt: skip
    supervisor.update_triggers = lambda ids: triggerer.TriggerRunnerSupervisor.update_triggers(
        supervisor, ids
    )
    previous = signal.getsignal(WAKE_SIGNAL)
    try:
        woken = asyncio.run(triggerer.TriggerRunner.arun(triggerer.TriggerRunner()))
    finally:
        signal.signal(WAKE_SIGNAL, previous)
    assert woken < 0.25 and sent == [WAKE_SIGNAL]
    assert list(supervisor.creating_triggers) == [7]

    supervisor.update_triggers({7})  # nothing new: the runner is left to sleep
    assert sent == [WAKE_SIGNAL]


def test_the_wake_signal_is_ignored_by_a_process_that_did_not_ask_for_it():
    assert signal.getsignal(WAKE_SIGNAL) == signal.SIG_DFL
    os.kill(os.getpid(), WAKE_SIGNAL)  # default action: ignored (a runner not yet listening)
