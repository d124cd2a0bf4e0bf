"""Following backfills: their DAG runs by state, a progress bar per backfill, the exit code.

The runs listing of Airflow's API has no backfill filter: a backfill's runs are the ``backfill``
runs of its DAG in its date range queued since it was created. On a terminal the bars are
redrawn in place; otherwise a line is printed whenever a backfill's counts change (logs, CI).
Ctrl-C stops waiting and leaves the backfill running.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TextIO

from ol_platform.cli.airflow_auth import AirflowAccessError, AuthedAirflowAPI

DONE_STATES = {"success", "failed"}
EXIT_FAILED, EXIT_INTERRUPTED = 1, 130
MAX_MISSED_POLLS = 30  # consecutive unanswered polls before waiting gives up


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def fmt_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


@dataclass
class Progress:
    """Per backfill: its DAG runs by state, redrawn in place on a terminal."""

    backfill: dict
    runs: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        states = [r["state"] for r in self.runs]
        return {
            "queued": states.count("queued"),
            "running": states.count("running"),
            "succeeded": states.count("success"),
            "failed": states.count("failed"),
        }

    @property
    def done(self) -> bool:
        return self.backfill.get("completed_at") is not None and all(
            r["state"] in DONE_STATES for r in self.runs
        )

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.runs if r["state"] == "failed"]

    def line(self, width: int = 24) -> str:
        c, total = self.counts, len(self.runs)
        finished = c["succeeded"] + c["failed"]
        filled = int(width * finished / total) if total else 0
        bar = "#" * filled + "-" * (width - filled)
        status = "done" if self.done else ("paused" if self.backfill.get("is_paused") else "")
        return (
            f"backfill {self.backfill['id']:<4} {self.backfill['dag_id']:<26} [{bar}] "
            f"{finished:>3}/{total:<3} queued {c['queued']}  running {c['running']}  "
            f"succeeded {c['succeeded']}  failed {c['failed']}  {status}"
        ).rstrip()


def backfill_runs(api: AuthedAirflowAPI, backfill: dict) -> list[dict]:
    """The DAG runs of one backfill: backfill runs in its date range queued since it began.

    The runs listing cannot filter on a backfill id; a run an earlier backfill created and
    this one skipped (``--reprocess none``) was queued before this one began.
    """
    created = datetime.fromisoformat(backfill["created_at"]) - timedelta(seconds=2)
    runs, offset = [], 0
    while True:
        page = api.call(
            "GET",
            f"/dags/{backfill['dag_id']}/dagRuns",
            run_type=["backfill"],
            logical_date_gte=backfill["from_date"],
            logical_date_lte=backfill["to_date"],
            order_by="logical_date",
            limit=100,
            offset=offset,
        )["dag_runs"]
        runs += page
        offset += len(page)
        if len(page) < 100:
            break
    return [r for r in runs if r.get("queued_at") is None or parse_time(r["queued_at"]) >= created]


class Display:
    """Lines redrawn with carriage returns on a terminal; one line per change otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.drawn = 0
        self.last: dict[int, str] = {}

    def show(self, progress: list[Progress]) -> None:
        lines = [p.line() for p in progress]
        if self.tty:
            if self.drawn:
                self.out.write(f"\r\x1b[{self.drawn - 1}A" if self.drawn > 1 else "\r")
            self.out.write("\n".join(f"{line}\x1b[K" for line in lines))
            self.drawn = len(lines)
        else:
            for p, line in zip(progress, lines, strict=True):
                if self.last.get(p.backfill["id"]) != line:
                    self.out.write(line + "\n")
                    self.last[p.backfill["id"]] = line
        self.out.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.out.write("\n")
            self.drawn = 0


def _progress_of(api: AuthedAirflowAPI, backfill_id: int) -> Progress:
    backfill = api.call("GET", f"/backfills/{backfill_id}")
    return Progress(backfill, backfill_runs(api, backfill))


def follow(
    api: AuthedAirflowAPI,
    ids: list[int],
    out: TextIO,
    *,
    wait: bool = True,
    poll: float = 2.0,
) -> int:
    """Show progress until every backfill is done (or once); exit code 1 if any run failed."""
    display = Display(out)
    misses = 0
    try:
        while True:
            try:
                progress = [_progress_of(api, backfill_id) for backfill_id in ids]
            except AirflowAccessError as exc:
                # A busy or restarting API server is no reason to stop watching a backfill.
                if not wait or (exc.status is not None and exc.status < 500):
                    raise
                misses += 1
                if misses > MAX_MISSED_POLLS:
                    raise
                display.close()
                out.write(f"Airflow did not answer ({exc}); still waiting\n")
                time.sleep(poll)
                continue
            misses = 0
            display.show(progress)
            if not wait or all(p.done for p in progress):
                break
            time.sleep(poll)
    except KeyboardInterrupt:
        display.close()
        listed = " ".join(str(i) for i in ids)
        out.write(
            f"Stopped waiting; the backfill keeps running in Airflow. Follow it with "
            f"`olp backfill status {listed}`, cancel it with "
            + " and ".join(f"`olp backfill cancel {i}`" for i in ids)
            + ".\n"
        )
        return EXIT_INTERRUPTED
    display.close()
    failed = [(p, r) for p in progress for r in p.failed]
    for p, run in failed:
        out.write(
            f"FAILED {p.backfill['dag_id']} run {run['dag_run_id']} (data interval "
            f"{fmt_time(parse_time(run.get('data_interval_start')))} -> "
            f"{fmt_time(parse_time(run.get('data_interval_end')))}): see its task logs in the UI, "
            f"{api.base_url}/dags/{p.backfill['dag_id']}/runs/{run['dag_run_id']}\n"
        )
    if failed:
        out.write(f"{len(failed)} run(s) failed.\n")
        return EXIT_FAILED
    if wait:
        total = sum(len(p.runs) for p in progress)
        out.write(f"All {total} run(s) succeeded.\n")
    return 0
