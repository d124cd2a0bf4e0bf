"""Where a finished ``olp demo`` spent its time, from its Airflow metadata and its own log.

Reads the SQLite metadata DB the demo leaves in ``$OLP_HOME/airflow/airflow.db`` (the same task
instance rows the REST API serves) and, when given, the demo's printed log (``olp demo >
demo.log``), and prints one table: the driver's phases (Airflow start, parse, start of the
ingest DAGs, each wait), and per kind of task how many ran, their summed run time, how long
they waited for a worker slot (queued -> start), and the first start / last end relative to
the first DAG run. Times are wall clock: on a shared machine put ``uptime`` next to them.

    uv run python bench/demo_timeline.py --home .olp [--log demo.log]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
from datetime import datetime
from pathlib import Path

STEP = re.compile(r"^\[\s*(\d+)m(\d\d)s\] (.*)$")
# The demo's own milestones, in order: the time each first appears in its log.
MILESTONES = (
    ("samples generated", "migrating the Airflow metadata DB"),
    ("metadata DB migrated", "starting "),
    ("Airflow healthy", "Airflow is up"),
    ("DAGs parsed", "parsed "),
    ("ingest DAGs started", "runs: "),
    ("ingest done", "ingest done"),
    ("course exports started", "starting 4 course exports"),
    ("everything settled", "collecting the summary"),
    ("summary collected", "stopping Airflow"),
)


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def task_kind(dag_id: str, task_id: str, operator: str) -> str:
    if operator == "DbtModelOperator":
        return f"{dag_id.split('__')[0]}: model tasks (triggerer)"
    return f"{dag_id.split('__')[0]}: {task_id.rsplit('.', 1)[-1]}"


def task_table(db: Path) -> list[tuple[str, int, float, float, float, float]]:
    """(kind, count, summed duration, median queue wait, first start, last end) per kind."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select dag_id, task_id, operator, queued_dttm, start_date, end_date "
            "from task_instance where start_date is not null"
        ).fetchall()
        first = _ts(conn.execute("select min(start_date) from dag_run").fetchone()[0])
    kinds: dict[str, list[tuple]] = {}
    for dag_id, task_id, operator, queued, start, end in rows:
        kinds.setdefault(task_kind(dag_id, task_id, operator or ""), []).append(
            (_ts(queued), _ts(start), _ts(end))
        )
    table = []
    for kind, spans in sorted(kinds.items(), key=lambda k: min(s[1] for s in k[1])):
        ends = [e for _, _, e in spans if e]
        table.append(
            (
                kind,
                len(spans),
                sum((e - s).total_seconds() for _, s, e in spans if e),
                statistics.median([(s - q).total_seconds() for q, s, _ in spans if q] or [0]),
                (min(s for _, s, _ in spans) - first).total_seconds(),
                (max(ends) - first).total_seconds() if ends else float("nan"),
            )
        )
    return table


def runs(db: Path) -> list[tuple[str, str, float, float]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select dag_id, state, start_date, end_date from dag_run order by id"
        ).fetchall()
        first = _ts(conn.execute("select min(start_date) from dag_run").fetchone()[0])
    return [
        (d, s, (_ts(a) - first).total_seconds(), (_ts(b) - first).total_seconds())
        for d, s, a, b in rows
        if a and b
    ]


def milestones(log: Path) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    lines = [m.groups() for m in map(STEP.match, log.read_text().splitlines()) if m]
    for name, marker in MILESTONES:
        at = next((int(m) * 60 + int(s) for m, s, text in lines if text.startswith(marker)), None)
        if at is not None:
            seen.append((name, at))
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".olp"))
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    if args.log:
        print("Demo driver (seconds since start; phase length):")
        previous = 0
        for name, at in milestones(args.log):
            print(f"  {name:<24} {at:>5}  {at - previous:>5}")
            previous = at
    db = args.home / "airflow" / "airflow.db"
    print("\nTasks (seconds; start/end relative to the first DAG run's start):")
    print(f"  {'kind':<44} {'n':>3} {'run sum':>8} {'queue p50':>9} {'first':>6} {'last':>6}")
    for kind, n, total, wait, first, last in task_table(db):
        print(f"  {kind:<44} {n:>3} {total:>8.0f} {wait:>9.1f} {first:>6.0f} {last:>6.0f}")
    print("\nDAG runs outside ingest (start, end relative to the first DAG run's start):")
    for dag_id, state, start, end in runs(db):
        if not dag_id.startswith("ingest__"):
            print(f"  {dag_id:<34} {state:<8} {start:>6.0f} {end:>6.0f}")


if __name__ == "__main__":
    main()
