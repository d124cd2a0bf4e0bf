"""The tracking-log event models at 10M events: a full build against an incremental run after
1% new events.

The sample lake is seeded (the accounts the facts resolve learners with, and each
deployment's tracking-log table); then ``--events`` events (default 10M), spread over the four
deployments' raw tables, are generated with DuckDB straight into Iceberg as Parquet, in the
loader's shape (md5 event hash, JSON ``event``/``context``, Airbyte columns), on the samples'
course runs, videos, problems and learners. The upstream models are built once. Then, on the
same data:

- ``full``: ``dbt run --full-refresh`` of the event models (tracking-log staging, the event
  facts), ``--repeat`` times;
- ``incremental``: ``--new`` (1%) more events land, later than the others (a later
  extraction), and ``dbt run`` of the same models, ``--repeat`` times (each on its own new 1%).

Each full build and each incremental run is done twice in turn: by plain ``dbt`` and by
``olp-dbt`` through the warm dbt server the local Airflow runs dbt with (``olp_dbt.warm``: a
fork of a process that has imported dbt). Printed: medians of the wall time of the dbt
process and of dbt's own elapsed time for the models, and the ratio incremental / full
(goal <= 10%), for each way of running dbt; and where an incremental run's process time goes,
read from dbt's JSON log (start-up to the manifest parsed and written, opening the lake
connection, the models, the artifacts written at the end).

    uv run python bench/incremental_events.py [--events 10000000] [--new-share 0.01] [--repeat 3]
        [--threads 1]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

EVENT_MODELS = [
    "stg__mitxonline__openedx__tracking_logs__user_activity",
    "stg__mitxpro__openedx__tracking_logs__user_activity",
    "stg__mitxresidential__openedx__tracking_logs__user_activity",
    "stg__edxorg__s3__tracking_logs__user_activity",
    "tfact_video_events",
    "tfact_problem_events",
]
# Where the generated events sit in time: the seeded logs are of late 2024.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 1_000_000  # rows generated and appended at a time (bounded memory)

# One event per row i of a range; pseudo-random choices from hash(i). Event mix as in the
# logs: a half video player events, problem submissions, the rest other events.
GENERATE = """
with g as (
    select i, hash(i, $salt) as h from range($start, $stop) as t(i)
),
picked as (
    select
        g.i,
        g.h,
        l.user_id,
        l.username,
        l.course_id,
        v.video_id,
        v.duration,
        case (g.h % 20)
            when 0 then 'load_video' when 1 then 'load_video'
            when 2 then 'play_video' when 3 then 'play_video' when 4 then 'play_video'
            when 5 then 'play_video' when 6 then 'pause_video' when 7 then 'pause_video'
            when 8 then 'pause_video' when 9 then 'seek_video' when 10 then 'stop_video'
            when 11 then 'complete_video' when 12 then 'problem_check'
            when 13 then 'problem_check' when 14 then 'problem_check'
            when 15 then 'problem_show' when 16 then 'page_close'
            else 'edx.grades.subsection.grade_calculated'
        end as event_type,
        $epoch::timestamptz + to_microseconds(g.i * $spacing_us) as time,
        'block-v1:' || substr(l.course_id, 11) || '+type@problem+block@'
            || md5(l.course_id || ':problem:' || ((g.h >> 8) % 5)) as problem
    from g
    join learners as l on l.n = g.h % $learners
    join videos as v on v.course_id = l.course_id and v.k = (g.h >> 16) % 4
)
select
    username,
    event_type,
    case
        when event_type = 'problem_check' or event_type like 'edx.%' then 'server'
        else 'browser'
    end as event_source,
    time,
    course_id,
    user_id,
    $org as org_id,
    '/event' as path,
    '198.51.100.' || (h % 254 + 1) as ip,
    'Mozilla/5.0' as agent,
    null::varchar as page,
    $host as host,
    md5(cast(user_id as varchar)) as session,
    event_type as name,
    'en-US' as accept_language,
    null::varchar as referer,
    case
        when event_type in (
            'load_video', 'play_video', 'pause_video', 'stop_video', 'complete_video'
        )
            then json_object(
                'id', video_id, 'currentTime', ((h >> 24) % 1000) / 1000.0 * duration,
                'code', 'html5', 'duration', duration
            )::varchar
        when event_type = 'seek_video'
            then json_object(
                'id', video_id, 'old_time', ((h >> 24) % 1000) / 1000.0 * duration,
                'new_time', ((h >> 34) % 1000) / 1000.0 * duration, 'type', 'onSlideSeek',
                'duration', duration
            )::varchar
        when event_type = 'problem_check'
            then json_object(
                'problem_id', problem, 'attempts', (h >> 40) % 3 + 1,
                'grade', (h >> 44) % 2, 'max_grade', 1,
                'success', case when (h >> 44) % 2 = 1 then 'correct' else 'incorrect' end,
                'answers', json_object(problem || '_2_1', 'choice_' || ((h >> 48) % 3))
            )::varchar
        else '{}'
    end as event,
    json_object('course_id', course_id, 'user_id', user_id, 'org_id', $org, 'path', '/event',
        'module', json_object('display_name', 'Checkpoint', 'usage_key', problem)
    )::varchar as context,
    $folder || '/tracking.log-' || strftime(time, '%Y%m%d-%H') || '00.gz' as log_file,
    md5($folder || ':' || i) as event_hash,
    $folder || '-' || i as _airbyte_raw_id,
    $extracted_at::timestamptz as _airbyte_extracted_at
from picked
"""


def deployment_tables():
    """(deployment, raw table identifier) of the tracking-log source."""
    from ol_platform.sources.registry import load_registry

    source = load_registry()["tracking_logs"]
    return [
        (t.namespace, f"ol_warehouse_local_raw.{n}")
        for t, n in zip(source.tables, source.raw_table_names(), strict=True)
    ]


def land_events(catalog, total: int, start: int, extracted_at: datetime) -> None:
    """Generate ``total`` events (row numbers from ``start``) over the deployments' raw tables,
    as one Iceberg append per table and chunk, extracted at ``extracted_at``."""
    import duckdb
    import pyarrow as pa

    from ol_platform.samples.tracking_logs import DEPLOYMENTS, video_duration, video_ids

    tables = deployment_tables()
    per_table = total // len(tables)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for deployment, identifier in tables:
        dep = DEPLOYMENTS[deployment]
        pairs = dep.learners or [
            (u, c) for u in range(1, dep.users + 1) for c in dep.course_ids[u % 3 :: 3]
        ]
        con.register(
            "learners",
            pa.table(
                {
                    "n": list(range(len(pairs))),
                    "user_id": [u for u, _ in pairs],
                    "username": [dep.username(u) for u, _ in pairs],
                    "course_id": [c for _, c in pairs],
                }
            ),
        )
        videos = [(c, k, v) for c in dep.course_ids for k, v in enumerate(video_ids(c))]
        con.register(
            "videos",
            pa.table(
                {
                    "course_id": [c for c, _, _ in videos],
                    "k": [k for _, k, _ in videos],
                    "video_id": [v for _, _, v in videos],
                    "duration": [video_duration(v) for _, _, v in videos],
                }
            ),
        )
        table = catalog.load_table(identifier)
        schema = table.schema().as_arrow()
        template = table.scan(limit=1).to_arrow()
        for chunk_start in range(start, start + per_table, CHUNK):
            stop = min(chunk_start + CHUNK, start + per_table)
            data = con.sql(
                GENERATE,
                params={
                    "salt": deployment,
                    "start": chunk_start,
                    "stop": stop,
                    "epoch": EPOCH.isoformat(),
                    "spacing_us": 2_000_000,
                    "learners": len(pairs),
                    "org": dep.org,
                    "host": dep.host,
                    "folder": deployment,
                    "extracted_at": extracted_at.isoformat(),
                },
            ).to_arrow_table()
            n = data.num_rows
            columns = []
            for field in schema:
                if field.name in data.column_names:
                    columns.append(data.column(field.name).cast(field.type))
                else:  # the other Airbyte columns: as the seeded rows carry them
                    value = template.column(field.name)[0].as_py() if template.num_rows else None
                    columns.append(pa.array([value] * n, field.type))
            table.append(pa.Table.from_arrays(columns, schema=schema))
            table = catalog.load_table(identifier)
    con.close()


def model_rows(catalog) -> dict[str, int]:
    """Row counts of the event models' Iceberg tables."""
    return {
        m: int(
            catalog.load_table(
                f"ol_warehouse_local_{'staging' if m.startswith('stg__') else 'dimensional'}.{m}"
            )
            .current_snapshot()
            .summary["total-records"]
        )
        for m in EVENT_MODELS
    }


PHASES = ("outside dbt's log", "parse, manifest", "lake connection", "models", "artifacts")


def phases(log: Path, wall: float) -> tuple[float, ...]:
    """Where the dbt invocation logged in ``log`` (dbt's JSON log) spent the process's ``wall``
    time, split at dbt's own events: its first line (``MainReportVersion``), the project found
    (``FoundStats``: parsed, manifest written), the first model started, the last one
    finished, the command completed. What precedes its first line and follows its last one
    (imports, exit) is "outside dbt's log"."""
    run = [json.loads(line)["info"] for line in log.read_text().splitlines() if line]

    def at(name: str, last: bool = False) -> datetime:
        stamps = [e["ts"] for e in run if e["name"] == name]
        return datetime.fromisoformat((stamps[-1] if last else stamps[0]).replace("Z", "+00:00"))

    marks = [
        at("MainReportVersion"),
        at("FoundStats"),
        at("NodeStart"),
        at("NodeFinished", last=True),
        at("CommandCompleted"),
    ]
    spans = [(b - a).total_seconds() for a, b in itertools.pairwise(marks)]
    return (wall - sum(spans), *spans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--new-share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    # dbt threads: each thread holds a model's rows in memory (DuckDB and Arrow) while it
    # commits them; at 10M events 4 threads need more than 14 GB.
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from ol_platform.lake.catalog import catalog_env, get_catalog
    from ol_platform.samples.systems import seed_lake
    from ol_platform.settings import Settings
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform.project import (
        DBT_BIN,
        DBT_EXECUTABLE,
        DBT_PROJECT_DIR,
        load_graph,
    )
    from ol_platform.transform.warm_dbt import warm_dbt_server

    home = Path(tempfile.mkdtemp(prefix="olp-bench-incremental-"))
    os.environ.update(OLP_HOME=str(home), OLP_ENV="local")
    for key in [k for k in os.environ if k.startswith("PYICEBERG_CATALOG__")]:
        del os.environ[key]
    settings = Settings(env="local", home=home)
    registry = load_registry()
    # Every source the event models read through the manifest: the logs, and the account
    # systems their learners resolve to.
    subset = registry.landing(load_graph().upstream_source_tables(EVENT_MODELS))
    failed = [r.error for r in seed_lake(settings, subset) if r.error]
    if failed:
        raise SystemExit("\n".join(failed))
    catalog = get_catalog(settings)
    env = {
        **os.environ,
        "DBT_TARGET": "duckdb",
        "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
        **catalog_env(settings),
    }
    target = home / "target"
    args_threads = args.threads
    executables = {"plain": str(DBT_EXECUTABLE), "warm": str(DBT_BIN / "olp-dbt")}
    env["OLP_DBT_SERVER"] = str(home / "dbt.sock")
    server = contextlib.ExitStack()  # the warm dbt server, until the bench ends
    server.enter_context(warm_dbt_server(home / "dbt.sock", home / "dbt-server.log", env=env))
    atexit.register(server.close)

    logs: list[Path] = []  # each run's own folder for dbt's JSON log, read by phases()

    def dbt_run(*args: str, how: str = "plain") -> tuple[float, float]:
        """Wall time of the dbt process, and dbt's elapsed time for the models."""
        logs.append(home / "dbt-logs" / str(len(logs)))
        started = time.perf_counter()
        out = subprocess.run(
            [executables[how], "run", *args, "--threads", str(args_threads), "--profiles-dir",
             ".", "--profile", "ol_dbt", "--target", "duckdb", "--target-path", str(target),
             "--log-path", str(logs[-1]), "--log-format-file", "json"],
            cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        if out.returncode:
            sys.exit(f"dbt run {' '.join(args)} failed:\n{out.stdout[-3000:]}")
        results = json.loads((target / "run_results.json").read_text())
        return wall, results["elapsed_time"]

    started = time.perf_counter()
    loaded_at = datetime.now(UTC) - timedelta(days=30)
    land_events(catalog, args.events, 0, loaded_at)
    print(f"{args.events:,} events landed in {time.perf_counter() - started:.0f} s", flush=True)
    # The models upstream of the facts (accounts, platforms), built once.
    dbt_run("-s", "+tfact_video_events", "+tfact_problem_events", "--exclude", *EVENT_MODELS)

    ways = ("plain", "warm")
    full: dict[str, list[tuple[float, float]]] = {how: [] for how in ways}
    incremental: dict[str, list[tuple[float, float]]] = {how: [] for how in ways}
    incremental_phases: dict[str, list[tuple[float, ...]]] = {how: [] for how in ways}
    for _ in range(args.repeat):
        for how in ways:
            full[how].append(dbt_run("--full-refresh", "-s", *EVENT_MODELS, how=how))
            wall, elapsed = full[how][-1]
            print(f"full ({how}): {wall:.1f} s wall, {elapsed:.1f} s dbt", flush=True)
    new = int(args.events * args.new_share)
    # Each batch is a later extraction than every row the lake holds (the seeded logs were
    # extracted at seed time), a day after the previous one: beyond the lookback, as a daily
    # sync. A batch extracted earlier than the newest row would be skipped as already seen.
    tables = deployment_tables()
    newest = max(
        pc.max(
            catalog.load_table(identifier)
            .scan(selected_fields=("_airbyte_extracted_at",))
            .to_arrow()["_airbyte_extracted_at"]
        ).as_py()
        for _, identifier in tables
    )
    for run, how in enumerate(how for _ in range(args.repeat) for how in ways):
        before = model_rows(catalog)
        land_events(catalog, new, args.events + run * new, newest + timedelta(days=run + 1))
        incremental[how].append(dbt_run("-s", *EVENT_MODELS, how=how))
        after = model_rows(catalog)
        wall, elapsed = incremental[how][-1]
        incremental_phases[how].append(phases(logs[-1] / "dbt.log", wall))
        print(f"incremental ({how}): {wall:.1f} s wall, {elapsed:.1f} s dbt")
        # Every new event has an event type: the staging models take all of them, and the
        # facts their video and problem events. A run that took nothing measured nothing.
        staged = sum(after[m] - before[m] for m in EVENT_MODELS if m.startswith("stg__"))
        facts = {m: after[m] - before[m] for m in EVENT_MODELS if not m.startswith("stg__")}
        landed = new // len(tables) * len(tables)
        if staged != landed or not all(facts.values()):
            sys.exit(
                f"the incremental run took {staged:,} new staged events (landed "
                f"{landed:,}) and new fact rows {facts}"
            )
        print(f"  new rows: {staged:,} staged, {facts}", flush=True)

    print(f"\nrows after the runs: {model_rows(catalog)}")
    for how in ways:
        for i, what in enumerate(("dbt process wall time", "dbt elapsed (models)")):
            f = statistics.median(r[i] for r in full[how])
            n = statistics.median(r[i] for r in incremental[how])
            print(
                f"{how} dbt, {what}: full {f:.1f} s, incremental after {args.new_share:.0%} "
                f"new events {n:.1f} s, ratio {n / f:.1%}"
            )
    print("\nan incremental run's process wall time, by phase (medians, s):")
    print(f"  {'phase':<20}" + "".join(f"{how:>8}" for how in ways))
    for i, phase in enumerate(PHASES):
        print(
            f"  {phase:<20}"
            + "".join(
                f"{statistics.median(r[i] for r in incremental_phases[how]):8.2f}" for how in ways
            )
        )


if __name__ == "__main__":
    main()
