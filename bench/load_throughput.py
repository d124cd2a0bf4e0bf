"""Load throughput: a PostgreSQL application table into Iceberg, three ways, side by side.

- ``floor``: ``COPY`` to memory → one Arrow table → one pyiceberg append; the least work any
  loader can do.
- ``platform``: what the ingest DAGs run, :func:`ol_platform.ingest.app_database.load_app_database`
  (COPY streamed in batches, Airbyte-shaped, one Iceberg commit).
- ``dlt``: dlt's default ``sql_database`` path with ``write_disposition="merge"`` into its
  Iceberg table format.

Then the cost of an incremental platform run after 1% of the rows changed, as a fraction of
the full load, and the peak RSS of the platform's full load of a larger table. Each load runs
in a fresh process (timed inside it, imports excluded) so RSS is its own; medians of
``--repeat`` runs are printed with ratios against the floor measured in the same run.

    uv run python bench/load_throughput.py [--rows 1000000] [--dlt-rows 100000]
        [--rss-rows 10000000] [--repeat 3]

Needs PostgreSQL (``--pg-url``, default the local trust-auth server); creates and drops the
database ``olp_bench``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
DB = "olp_bench"

CREATE = """
create table {t} (
    id bigint primary key,
    user_id bigint not null,
    course_run_key text not null,
    status text not null,
    grade numeric(5, 2),
    is_active boolean not null,
    created_on timestamp not null,
    updated_on timestamp not null,
    notes text
);
insert into {t}
select g, g % 50000, 'course-v1:MITxT+' || (g % 400) || '+1T2026',
       (array['enrolled', 'audit', 'verified'])[1 + g % 3],
       case when g % 5 = 0 then null else (g % 10000) / 100.0 end,
       g % 7 <> 0,
       timestamp '2024-01-01' + g * interval '1 second',
       timestamp '2024-01-01' + g * interval '1 second' + (g % 1000) * interval '1 minute',
       md5(g::text)
from generate_series(1, {rows}) g;
create index on {t} (updated_on);
analyze {t};
"""


def bench_source(table: str):
    from ol_platform.sources.models import Source

    return Source.model_validate(
        {
            "name": "bench",
            "title": "bench",
            "owner": "bench",
            "transport": "airbyte",
            "cadence": "24h",
            "system": "bench",
            "subsystem": "app",
            "storage": "postgres",
            "tables": [{"entity": table, "primary_key": ["id"], "cursor": "updated_on"}],
            "airbyte": {"connections": ["bench"]},
            "local": {"loader": "app_database"},
        }
    )


def floor_load(engine: sa.Engine, catalog, table: str) -> int:
    """COPY into memory, one Arrow table, one append: the least work a loader can do."""
    import pyarrow.csv as pacsv

    from ol_platform.ingest import pg_copy
    from ol_platform.lake.catalog import ensure_namespace

    columns = pg_copy.describe(engine, table)
    statement, _ = pg_copy.copy_sql(engine, table, columns)
    buffer = io.BytesIO()
    raw = engine.raw_connection()
    raw.cursor().copy_expert(statement, buffer)
    raw.close()
    buffer.seek(0)
    data = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=[c.name for c in columns]),
        convert_options=pacsv.ConvertOptions(
            column_types={c.name: c.arrow_type for c in columns},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    ensure_namespace(catalog, "bench")
    catalog.create_table(f"bench.floor_{table}", schema=data.schema).append(data)
    return data.num_rows


def dlt_merge_load(url: str, home: Path, table: str) -> int:
    """dlt's default sql_database source, merged into dlt's Iceberg table format."""
    import dlt
    from dlt.sources.sql_database import sql_table

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{table}",
        pipelines_dir=str(home / "dlt"),
        destination=dlt.destinations.filesystem(bucket_url=(home / "dlt_bucket").as_uri()),
        dataset_name="bench",
    )
    resource = sql_table(credentials=url, table=table, primary_key="id")
    resource.apply_hints(write_disposition="merge", table_format="iceberg")
    pipeline.run(resource)
    return pipeline.last_trace.last_normalize_info.row_counts.get(table, 0)


def child(kind: str, url: str, table: str, home: Path) -> dict:
    """One measured load in this (fresh) process; a tiny warm-up load first, untimed, so
    first-call costs (lazy imports, catalog setup) are not charged to the measured load."""
    from ol_platform.ingest.app_database import load_app_database
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.settings import Settings

    settings = Settings(env="local", home=home)
    catalog = get_catalog(settings)
    engine = sa.create_engine(url)
    out: dict = {}

    def platform(name: str) -> int:
        (result,) = load_app_database(
            bench_source(name), url=url, catalog=catalog, settings=settings
        )
        return result.rows_written

    def timed(key: str, load) -> None:
        started = time.perf_counter()
        out[f"{key}_rows"] = load()
        out[key] = time.perf_counter() - started

    if kind == "floor":
        floor_load(engine, catalog, "warmup")
        timed("seconds", lambda: floor_load(engine, catalog, table))
    elif kind == "platform":
        platform("warmup")
        timed("seconds", lambda: platform(table))
        out["changed"] = change_one_percent(engine, table, out["seconds_rows"])
        timed("incremental", lambda: platform(table))
    elif kind == "dlt":
        dlt_merge_load(url, home, "warmup")
        timed("seconds", lambda: dlt_merge_load(url, home, table))
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(kind: str, url: str, table: str, home: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, table, str(home)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"},
    )
    if out.returncode:
        sys.exit(f"{kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_table(engine: sa.Engine, table: str, rows: int) -> None:
    raw = engine.raw_connection()  # DBAPI directly: the SQL's % are operators, not parameters
    try:
        with raw.cursor() as cur:
            cur.execute(f"drop table if exists {table}")
            cur.execute(CREATE.format(t=table, rows=rows))
        raw.commit()
    finally:
        raw.close()


def change_one_percent(engine: sa.Engine, table: str, rows: int) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.text(
                # Stamped after every existing row, as an application's clock would.
                f"update {table} set status = 'changed', "
                f"updated_on = (select max(updated_on) from {table}) + interval '1 second' "
                f"+ random() * interval '1 hour' "
                f"where id in (select id from {table} order by random() limit :n)"
            ),
            {"n": rows // 100},
        ).rowcount


def median(runs: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dlt-rows", type=int, default=100_000)
    parser.add_argument("--rss-rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()

    admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"drop database if exists {DB} with (force)"))
        conn.execute(sa.text(f"create database {DB}"))
    url = sa.engine.make_url(args.pg_url).set(database=DB).render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    try:
        make_table(engine, "app_rows", args.rows)
        make_table(engine, "app_rows_dlt", args.dlt_rows)
        make_table(engine, "warmup", 10)
        floor, platform, dlt_runs = [], [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
                floor.append(run_child("floor", url, "app_rows", Path(a)))
                platform.append(run_child("platform", url, "app_rows", Path(b)))
                run = platform[-1]
                assert run["incremental_rows"] == run["changed"], run
        with tempfile.TemporaryDirectory() as c:
            dlt_runs.append(run_child("dlt", url, "app_rows_dlt", Path(c)))

        rate = {
            "floor": args.rows / median(floor),
            "platform": args.rows / median(platform),
            "dlt merge": args.dlt_rows / median(dlt_runs),
        }
        print(f"\nFirst load of a {args.rows:,}-row PostgreSQL table into Iceberg")
        print(f"(medians of {args.repeat}; dlt once on {args.dlt_rows:,} rows)\n")
        print(f"  {'path':<12} {'seconds':>9} {'rows/s':>12} {'peak RSS MiB':>13}")
        for name, runs in (("floor", floor), ("platform", platform), ("dlt merge", dlt_runs)):
            print(
                f"  {name:<12} {median(runs):>9.2f} {rate[name]:>12,.0f} "
                f"{median(runs, 'peak_mib'):>13.0f}"
            )
        vs_floor, vs_dlt = rate["platform"] / rate["floor"], rate["platform"] / rate["dlt merge"]
        print(f"\n  platform / floor rows/s:     {vs_floor:.2f}x (goal >= 0.5)")
        print(f"  platform / dlt merge rows/s: {vs_dlt:.1f}x (goal >= 10)")
        incremental = median(platform, "incremental")
        fraction = incremental / median(platform)
        print(
            f"  incremental, 1% changed ({args.rows // 100:,} rows): {incremental:.2f}s "
            f"= {fraction:.1%} of the full load (goal <= 5%)"
        )
        if args.rss_rows:
            make_table(engine, "app_rows_big", args.rss_rows)
            with tempfile.TemporaryDirectory() as d:
                big = run_child("platform", url, "app_rows_big", Path(d))
            print(
                f"  {args.rss_rows:,} rows: {big['seconds']:.1f}s "
                f"({args.rss_rows / big['seconds']:,.0f} rows/s), peak RSS "
                f"{big['peak_mib']:.0f} MiB (goal < 1024); incremental with 1% changed "
                f"{big['incremental']:.2f}s = {big['incremental'] / big['seconds']:.1%}"
            )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"drop database if exists {DB} with (force)"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, url, table, home = sys.argv[2:6]
        print(json.dumps(child(kind, url, table, Path(home))))
    else:
        main()
