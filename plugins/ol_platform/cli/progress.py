"""What a long ``olp`` command is doing, one line at a time, instead of minutes of silence.

:class:`Steps` prints each stage of a command with the time since it started.
:class:`RunProgress` watches DAG runs through the REST API while the demo waits: it prints every
run that changes state; the rows the ingest runs landed, counted from each ``extract_load``
result as soon as that task succeeds (long before its run's staging ends); every task try
that fails, as it happens; and a tally of runs and of tasks (waiting for a worker, running,
deferred to the triggerer, done) when it changes and at least once a minute.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from ol_platform.cli.airflow_api import AirflowAPI

# Task instance states, grouped as the tally shows them.
TASK_GROUPS = {
    "waiting": ("scheduled", "queued"),  # for a free worker slot (parallelism 4)
    "running": ("running",),
    "deferred": ("deferred",),  # in the triggerer: a model task waiting for its dbt result
    "done": ("success", "skipped"),
    "failed": ("failed", "upstream_failed"),
    "retrying": ("up_for_retry",),
}


def say(line: str) -> None:
    """Print to stdout at once; a closed terminal (SIGHUP) must not break the command's cleanup."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stdout, flush=True)


@dataclass
class Steps:
    out: Callable[[str], None] = say
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.started or self.clock()

    def elapsed(self) -> str:
        seconds = int(self.clock() - self.started)
        return f"{seconds // 60:>2}m{seconds % 60:02d}s"

    def __call__(self, message: str) -> None:
        self.out(f"[{self.elapsed()}] {message}")


@dataclass
class RunProgress:
    api: AirflowAPI
    steps: Steps
    interval: float = 10.0  # seconds between two looks at the runs
    heartbeat: float = 60.0  # the tally is printed at least this often, changed or not
    dag_ids: list[str] = field(default_factory=list)
    states: dict[tuple[str, str], str] = field(default_factory=dict)
    # (dag id, run id) -> rows per raw table its extract_load returned
    landed: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    failed_tries: set[tuple[str, str, str, int]] = field(default_factory=set)
    _last_poll: float = float("-inf")
    _last_tally: tuple[str, float] = ("", float("-inf"))

    def track(self, dag_ids: Iterable[str]) -> None:
        self.dag_ids += [d for d in dag_ids if d not in self.dag_ids]

    def tick(self, *_: object) -> None:
        """Called at every poll of a wait; looks at the runs every ``interval`` seconds."""
        now = self.steps.clock()
        if now - self._last_poll >= self.interval:
            self._last_poll = now
            self.poll()

    def poll(self) -> None:
        for dag_id, runs in self.api.runs_of(self.dag_ids).items():
            for run in runs:
                key = (dag_id, run["dag_run_id"])
                state = run["state"]
                if self.states.get(key) == state:
                    continue
                self.states[key] = state
                self.steps(f"{dag_id:<34} {state:<8} {self._detail(dag_id, run)}".rstrip())
        self._count_landed()
        self._report_failed_tries()
        self._tally()

    def _report_failed_tries(self) -> None:
        """A try that fails is said at once, even when a retry will make its run green."""
        failing = self.api.all_task_instances(state=["up_for_retry", "failed"])
        for ti in failing:
            key = (ti["dag_id"], ti["dag_run_id"], ti["task_id"], ti.get("try_number") or 0)
            if key in self.failed_tries:
                continue
            self.failed_tries.add(key)
            then = "retrying" if ti["state"] == "up_for_retry" else "no retry left"
            self.steps(f"{ti['dag_id']}.{ti['task_id']}: try {key[3]} failed ({then})")

    def task_counts(self) -> dict[str, int]:
        """Task instances of every run by what they are doing, one API count per group."""
        return {
            group: self.api.count_task_instances(state=list(states))
            for group, states in TASK_GROUPS.items()
        }

    def _count_landed(self) -> None:
        """Add the rows of every tracked ingest run whose ``extract_load`` has succeeded."""
        for ti in self.api.all_task_instances(state=["success"], task_id="extract_load"):
            if ti["dag_id"] in self.dag_ids:
                self._landed(ti["dag_id"], ti["dag_run_id"])

    def _landed(self, dag_id: str, run_id: str) -> dict[str, int]:
        """The rows per raw table the run's ``extract_load`` returned, counted once."""
        if (dag_id, run_id) not in self.landed:
            try:
                result = self.api.xcom(dag_id, run_id, "extract_load") or {}
            except httpx.HTTPStatusError:  # a run without that task (Airbyte): nothing to count
                result = {}
            self.landed[(dag_id, run_id)] = {t: int(n) for t, n in result.items()}
        return self.landed[(dag_id, run_id)]

    @property
    def rows_landed(self) -> int:
        return sum(sum(tables.values()) for tables in self.landed.values())

    def _detail(self, dag_id: str, run: dict) -> str:
        if run["state"] != "success" or not dag_id.startswith("ingest__"):
            return run["run_type"] if run["state"] in ("queued", "running") else ""
        landed = self._landed(dag_id, run["dag_run_id"])
        if not landed:
            return ""
        return f"{sum(landed.values()):,} rows into {len(landed)} raw table(s)"

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for state in self.states.values():
            counts[state] = counts.get(state, 0) + 1
        return counts

    def _tally(self) -> None:
        counts = self.counts()
        order = ("queued", "running", "success", "failed")
        parts = [f"{counts.get(s, 0)} {s}" for s in order]
        parts += [f"{n} {s}" for s, n in sorted(counts.items()) if s not in order]
        tasks = ", ".join(f"{n} {group}" for group, n in self.task_counts().items())
        line = f"runs: {', '.join(parts)}; tasks: {tasks}; {self.rows_landed:,} rows landed"
        now = self.steps.clock()
        last, at = self._last_tally
        if line != last or now - at >= self.heartbeat:
            self._last_tally = (line, now)
            self.steps(line)
