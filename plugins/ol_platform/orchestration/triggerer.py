"""``airflow triggerer`` that passes new triggers and their events on within half a second,
not after up to a second each way.

Airflow 3.3's triggerer runs its triggers in a runner subprocess that syncs with its supervisor
once per second: new triggers reach the runner, and events reach the supervisor, at that sync.
The supervisor in turn waits up to a second for the runner between its passes over the
metadata DB, where it picks up the triggers the scheduler has just created. A task that starts
in the triggerer and can end at once (each model task of the ``models`` rendering once its
dbt verdict exists) pays those waits at every dbt dependency level, because its task starts
only when its parents' have ended: after ``dbt build`` had finished, a transform run spent
about two seconds per level finishing its model tasks.

- ``shorten_waits(seconds)``: the runner's wait between syncs and the supervisor's wait for
  the runner become ``seconds`` (default :data:`WAIT`); each still ends at once when there is
  something to do. The cost is the supervisor's pass over the metadata DB (new and unused
  triggers), which follows each sync. At 0.2 s the demo, with a hundred tasks deferred at
  once, took 335 s against 295 s with Airflow's waits; at 0.5 s it took 296 s, and the
  transform's model tasks still ended within about 4 s of dbt instead of 10-16 s.
- ``main`` applies it and runs ``airflow triggerer`` with the given arguments
  (``python -m ol_platform.orchestration.triggerer [args]``). The runner is forked from the
  supervisor (Linux), so it inherits the patch.
"""

from __future__ import annotations

import functools
from typing import Any

from ol_platform.orchestration.airflow_command import run

WAIT = 0.5
_PATCHED = "_olp_wait"


def shorten_waits(seconds: float = WAIT) -> None:
    """Cap the triggerer's two one-second idle waits at ``seconds`` (idempotent)."""
    from airflow.jobs import triggerer_job_runner as module

    supervisor = module.TriggerRunnerSupervisor
    if getattr(supervisor._service_subprocess, _PATCHED, None) == seconds:
        return
    original_service = getattr(supervisor._service_subprocess, "__wrapped__", None)
    original_service = original_service or supervisor._service_subprocess

    @functools.wraps(original_service)
    def _service_subprocess(self: Any, max_wait_time: float, *args: Any, **kwargs: Any) -> Any:
        return original_service(self, min(max_wait_time, seconds), *args, **kwargs)

    setattr(_service_subprocess, _PATCHED, seconds)
    supervisor._service_subprocess = _service_subprocess

    # The runner's loop sleeps in ``anyio.move_on_after(1)``, read from the module's ``anyio``.
    anyio = module.anyio.anyio if isinstance(module.anyio, _CappedAnyio) else module.anyio
    module.anyio = _CappedAnyio(anyio, seconds)


class _CappedAnyio:
    """``anyio`` as the triggerer module sees it: the same, but ``move_on_after`` waits at
    most ``seconds``."""

    def __init__(self, anyio: Any, seconds: float) -> None:
        self.anyio, self.seconds = anyio, seconds

    def move_on_after(self, delay: float, *args: Any, **kwargs: Any) -> Any:
        return self.anyio.move_on_after(min(delay, self.seconds), *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.anyio, name)


def main(argv: list[str] | None = None) -> None:
    shorten_waits()
    run("triggerer", argv)


if __name__ == "__main__":
    main()
