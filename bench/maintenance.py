"""Iceberg maintenance: a raw table after 50 incremental loads, before and after maintenance.

The table is built the way the ingest DAGs build it: a first full load, then ``--loads``
incremental versioned loads through the platform's writer (``lake/writer.py``), each
appending the new versions of ``--changed`` rows plus re-reading the boundary rows. Then,
side by side on the same table:

- ``before``: as the loads left it;
- ``day 1``: after the DAG's maintenance with the default policy (7 days, keep 5): the small
  files are compacted; every snapshot is younger than the retention, so none expires;
- ``day 8``: after maintenance once the loads are older than the retention (the policy's
  clock moved 8 days on): snapshots expired and their files removed from storage.

For each: data files in the current snapshot, files on disk, a full scan and a key lookup
(a row filter on ``id``), medians of ``--repeat`` runs, printed with ratios against
``before``. The rows and the cursor are checked identical after each step.

    uv run python bench/maintenance.py [--rows 200000] [--loads 50] [--changed 2000] [--repeat 5]

Needs nothing but the local disk (a temporary lake).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

TABLE = "ol_warehouse_local_raw.raw__mitxonline__app__postgres__courses_courserunenrollment"
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _extract(ids: np.ndarray, at: datetime, sync_id: int) -> pa.Table:
    from ol_platform.ingest.airbyte_shape import airbyte_shape

    n = len(ids)
    data = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "user_id": pa.array(ids % 50_000, pa.int64()),
            "course_run_key": pa.array([f"course-v1:MITxT+{i % 400}+1T2026" for i in ids]),
            "status": pa.array(np.array(["enrolled", "audit", "verified"])[ids % 3]),
            "updated_on": pa.array(np.full(n, at), pa.timestamp("us", tz="UTC")),
        }
    )
    return airbyte_shape(data, at + timedelta(minutes=5), sync_id)


def build(catalog, rows: int, loads: int, changed: int) -> None:
    from ol_platform.lake.writer import WriteDisposition, commit

    def load(data: pa.Table) -> None:
        commit(
            catalog,
            TABLE,
            data,
            disposition=WriteDisposition.VERSIONED,
            primary_key=["id"],
            cursor="updated_on",
        )

    rng = np.random.default_rng(7)
    load(_extract(np.arange(rows), BASE, 0))
    previous = np.arange(rows)[-changed:]
    for run in range(1, loads + 1):
        at = BASE + timedelta(hours=6 * run)
        fresh = _extract(rng.choice(rows, changed, replace=False), at, run)
        # The extract re-reads the rows on the previous cursor value (``>=``).
        boundary = _extract(previous[:50], at - timedelta(hours=6), run - 1)
        load(pa.concat_tables([boundary.cast(fresh.schema), fresh]))
        previous = fresh.column("id").to_numpy()


def measure(catalog, repeat: int) -> dict:
    from pyiceberg.expressions import EqualTo

    from ol_platform.lake.local_maintenance import file_totals

    table = catalog.load_table(TABLE)
    files, _ = file_totals(table)
    on_disk = sum(
        1 for p in Path(table.location().removeprefix("file://")).rglob("*") if p.is_file()
    )

    def timed(fn) -> float:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - started)
        return statistics.median(runs)

    full = timed(lambda: catalog.load_table(TABLE).scan().to_arrow())
    lookup = timed(
        lambda: catalog.load_table(TABLE).scan(row_filter=EqualTo("id", 12_345)).to_arrow()
    )
    return {"files": files, "on_disk": on_disk, "full": full, "lookup": lookup}


def fingerprint(catalog) -> tuple:
    from ol_platform.lake.stats import column_max

    table = catalog.load_table(TABLE)
    rows = table.scan(selected_fields=("id", "_airbyte_extracted_at")).to_arrow()
    versions = rows.group_by(["id", "_airbyte_extracted_at"]).aggregate([]).num_rows
    return rows.num_rows, versions, column_max(table, "updated_on")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--loads", type=int, default=50)
    parser.add_argument("--changed", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="olp-bench-maintenance-")
    os.environ["OLP_HOME"] = home
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.lake.local_maintenance import PyIcebergMaintenance
    from ol_platform.lake.maintenance import MaintenancePolicy, run_namespace
    from ol_platform.settings import get_settings

    catalog = get_catalog(get_settings())
    started = time.perf_counter()
    build(catalog, args.rows, args.loads, args.changed)
    print(
        f"built {TABLE.split('.')[1]}: {args.rows} rows + {args.loads} incremental loads of "
        f"{args.changed} changed rows in {time.perf_counter() - started:.1f}s ({home})"
    )
    expected = fingerprint(catalog)
    results = {"before": measure(catalog, args.repeat)}
    namespace = TABLE.split(".")[0]
    for label, clock in (("day 1", timedelta(0)), ("day 8", timedelta(days=8))):
        engine = PyIcebergMaintenance(catalog, now=lambda c=clock: datetime.now(UTC) + c)
        started = time.perf_counter()
        (report,) = run_namespace(engine, namespace, MaintenancePolicy()).tables
        print(f"{label}: maintenance in {time.perf_counter() - started:.2f}s: {report.log_line()}")
        assert fingerprint(catalog) == expected, "maintenance changed the rows or the cursor"
        results[label] = measure(catalog, args.repeat)

    base = results["before"]
    print(f"\nmedians of {args.repeat} runs; ratio = after / before")
    print(f"{'':8}{'data files':>12}{'files on disk':>15}{'full scan':>16}{'key lookup':>17}")
    for label, r in results.items():
        print(
            f"{label:8}{r['files']:>12}{r['on_disk']:>15}"
            f"{r['full']:>10.3f}s {r['full'] / base['full']:>4.2f}x"
            f"{r['lookup']:>10.3f}s {r['lookup'] / base['lookup']:>5.2f}x"
        )
    rows, versions, cursor = expected
    print(
        f"\nrows {rows}, distinct (id, _airbyte_extracted_at) {versions}, "
        f"cursor {cursor}: unchanged"
    )


if __name__ == "__main__":
    main()
