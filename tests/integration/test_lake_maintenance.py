"""Iceberg maintenance through pyiceberg on real tables loaded by the platform's writer:
row versions and cursors survive, expiry and orphan removal honour the retention, concurrent
writers are never overwritten, and one bad table does not stop a namespace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ol_platform.ingest.airbyte_shape import airbyte_shape
from ol_platform.lake.local_maintenance import PyIcebergMaintenance, referenced_files
from ol_platform.lake.maintenance import (
    MaintenanceConfigError,
    MaintenanceError,
    MaintenancePolicy,
    run_namespace,
)
from ol_platform.lake.stats import column_max
from ol_platform.lake.writer import WriteDisposition, commit

NAMESPACE = "ol_warehouse_local_raw"
RUNS = f"{NAMESPACE}.raw__mitxonline__app__postgres__courses_courserun"
OTHER = f"{NAMESPACE}.raw__mitxonline__app__postgres__courses_course"
BASE = datetime(2026, 1, 1, tzinfo=UTC)
# Everything is old enough and only the current snapshot is kept: the harshest policy.
HARSH = MaintenancePolicy(retention=timedelta(0), min_snapshots=1, min_small_files=2)


def _extract(run: int, keys: int = 40) -> pa.Table:
    """An incremental extract as the app-database loader sees one: the rows changed since the
    last run (a sliding window of keys) plus the rows on the previous cursor value."""
    changed = [(run * 7 + i) % keys for i in range(8)]
    boundary = [(run * 7 - 2) % keys, (run * 7 - 1) % keys] if run else []  # read again
    ids = changed + boundary
    updated = [BASE + timedelta(hours=run)] * 8 + [BASE + timedelta(hours=run - 1)] * len(boundary)
    data = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "title": [f"{i} as of run {run}" for i in changed] + [f"{i}, again" for i in boundary],
            "updated_on": pa.array(updated, pa.timestamp("us", tz="UTC")),
        }
    )
    return airbyte_shape(data, BASE + timedelta(hours=run, minutes=5), sync_id=run)


def _load(catalog, identifier: str, run: int):
    return commit(
        catalog,
        identifier,
        _extract(run),
        disposition=WriteDisposition.VERSIONED,
        primary_key=["id"],
        cursor="updated_on",
    )


def _versions(catalog, identifier: str) -> list[tuple]:
    rows = catalog.load_table(identifier).scan().to_arrow()
    return sorted(
        zip(
            rows.column("id").to_pylist(),
            rows.column("_airbyte_extracted_at").to_pylist(),
            rows.column("title").to_pylist(),
            strict=True,
        )
    )


def test_row_versions_and_cursors_survive_maintenance_and_loads_stay_incremental(catalog):
    for run in range(12):
        _load(catalog, RUNS, run)
        _load(catalog, OTHER, run)  # a twin, never maintained
    before = _versions(catalog, RUNS)
    cursor = column_max(catalog.load_table(RUNS), "updated_on")
    assert len(before) > 40  # many versions per key: the history dim_course_run is built on

    report = run_namespace(PyIcebergMaintenance(catalog), NAMESPACE, HARSH)

    runs = report.tables[0] if report.tables[0].table == RUNS else report.tables[1]
    assert runs.status == "ok" and runs.compacted
    assert runs.data_files_before == 12 and runs.data_files_after == 1
    assert runs.snapshots_expired == 12 and runs.orphan_files_removed > 0
    table = catalog.load_table(RUNS)
    assert len(table.snapshots()) == 1
    assert _versions(catalog, RUNS) == before  # every row version, with its extraction time
    assert column_max(table, "updated_on") == cursor  # read from the rewritten files' bounds

    # The next incremental load skips the boundary rows it already has, exactly as on the
    # twin that was never maintained.
    after = _load(catalog, RUNS, 12)
    twin = _load(catalog, OTHER, 12)
    assert (after.rows_written, after.total_rows) == (twin.rows_written, twin.total_rows)
    assert after.rows_written < after.rows_in_batch
    assert [v[:2] for v in _versions(catalog, RUNS)] == [v[:2] for v in _versions(catalog, OTHER)]


def test_expiry_keeps_the_retention_window_and_the_newest_snapshots(catalog):
    for run in range(8):
        _load(catalog, RUNS, run)
    policy = MaintenancePolicy(min_small_files=100)  # 7 days, keep 5; no compaction
    young = PyIcebergMaintenance(catalog).maintain(NAMESPACE, RUNS.split(".")[1], policy)
    assert young.snapshots_expired == 0  # all younger than 7 days

    later = datetime.now(UTC) + timedelta(days=30)
    current = catalog.load_table(RUNS).current_snapshot().snapshot_id
    old = PyIcebergMaintenance(catalog, now=lambda: later).maintain(
        NAMESPACE, RUNS.split(".")[1], policy
    )
    table = catalog.load_table(RUNS)
    assert old.snapshots_expired == 3 and len(table.snapshots()) == 5
    assert table.current_snapshot().snapshot_id == current
    assert table.scan().to_arrow().num_rows == int(
        table.current_snapshot().summary["total-records"]
    )


def test_orphan_files_go_only_when_unreferenced_and_older_than_the_retention(catalog):
    for run in range(3):
        _load(catalog, RUNS, run)
    table = catalog.load_table(RUNS)
    stray = (
        Path(table.location().removeprefix("file://")) / "data" / "left-by-a-killed-load.parquet"
    )
    pq.write_table(pa.table({"x": [1]}), stray)
    policy = MaintenancePolicy(min_small_files=100)
    name = RUNS.split(".")[1]
    before = _versions(catalog, RUNS)

    fresh = PyIcebergMaintenance(catalog).maintain(NAMESPACE, name, policy)
    assert fresh.orphan_files_removed == 0 and stray.exists()  # may belong to a load in flight

    later = datetime.now(UTC) + timedelta(days=8)
    old = PyIcebergMaintenance(catalog, now=lambda: later).maintain(NAMESPACE, name, policy)
    assert old.orphan_files_removed == 1 and not stray.exists()
    table = catalog.load_table(RUNS)
    for path in referenced_files(table):
        assert Path(path.removeprefix("file://")).exists(), path
    assert _versions(catalog, RUNS) == before


def test_a_table_with_few_small_files_is_not_compacted(catalog):
    for run in range(3):
        _load(catalog, RUNS, run)
    report = PyIcebergMaintenance(catalog).maintain(
        NAMESPACE, RUNS.split(".")[1], MaintenancePolicy()
    )
    assert not report.compacted and report.data_files_after == report.data_files_before == 3


class RacingCatalog:
    """Hands out the table, then lets a concurrent load commit before maintenance does."""

    def __init__(self, catalog, races: int) -> None:
        self.catalog, self.races, self.run = catalog, races, 100

    def __getattr__(self, name):
        return getattr(self.catalog, name)

    def load_table(self, identifier):
        table = self.catalog.load_table(identifier)
        if identifier == RUNS and self.races > 0:
            self.races -= 1
            self.run += 1
            _load(self.catalog, RUNS, self.run)  # a real commit: ``table`` is now stale
        return table


def test_a_compaction_that_loses_to_a_concurrent_load_is_retried_and_keeps_both(catalog):
    for run in range(6):
        _load(catalog, RUNS, run)
        _load(catalog, OTHER, run)
    racing = RacingCatalog(catalog, races=2)  # the report's first read, then compaction's
    report = PyIcebergMaintenance(racing).maintain(NAMESPACE, RUNS.split(".")[1], HARSH)
    assert report.status == "ok" and report.compacted
    for run in (101, 102):  # the twin gets the concurrent loads without any maintenance
        _load(catalog, OTHER, run)
    assert [v[:2] for v in _versions(catalog, RUNS)] == [v[:2] for v in _versions(catalog, OTHER)]


def test_a_table_losing_every_race_is_skipped_and_the_others_are_maintained(catalog):
    for run in range(4):
        _load(catalog, RUNS, run)
        _load(catalog, OTHER, run)
    racing = RacingCatalog(catalog, races=100)
    report = run_namespace(PyIcebergMaintenance(racing), NAMESPACE, HARSH)
    by_table = {t.table: t for t in report.tables}
    assert by_table[RUNS].status == "skipped"
    assert "lost 3 commit races" in by_table[RUNS].message
    assert by_table[OTHER].status == "ok" and by_table[OTHER].compacted
    report.raise_for_failures()  # a skip is not a failure: the next run retries
    assert report.as_extra()["skipped"] == [RUNS]
    # Nothing the concurrent loads committed was lost.
    rows = catalog.load_table(RUNS).scan().to_arrow()
    assert set(rows.column("_airbyte_meta").combine_chunks().field("sync_id").to_pylist()) >= {
        101,
        102,
        103,
    }


def test_a_failing_table_does_not_stop_the_others_and_fails_the_namespace_naming_it(catalog):
    for run in range(4):
        _load(catalog, RUNS, run)
        _load(catalog, OTHER, run)
    table = catalog.load_table(RUNS)
    lost = next(iter(table.scan().plan_files())).file.file_path
    Path(lost.removeprefix("file://")).unlink()  # a data file lost from storage

    report = run_namespace(PyIcebergMaintenance(catalog), NAMESPACE, HARSH)
    by_table = {t.table: t for t in report.tables}
    assert by_table[RUNS].status == "failed" and "No such file" in by_table[RUNS].message
    assert by_table[OTHER].status == "ok" and by_table[OTHER].data_files_after == 1
    with pytest.raises(MaintenanceError, match=r"failed for 1 of 2 table\(s\).*courses_courserun"):
        report.raise_for_failures()


def test_a_namespace_that_does_not_exist_yet_is_nothing_to_do(catalog):
    report = run_namespace(PyIcebergMaintenance(catalog), "ol_warehouse_local_reporting", HARSH)
    assert report.tables == [] and report.as_extra()["tables"] == {}


def test_policy_from_the_environment_and_its_errors():
    policy = MaintenancePolicy.from_env(
        {
            "OLP_MAINTENANCE_RETENTION_DAYS": "3",
            "OLP_MAINTENANCE_MIN_SNAPSHOTS": "2",
            "OLP_MAINTENANCE_SMALL_FILE_MB": "16",
            "OLP_MAINTENANCE_MIN_SMALL_FILES": "4",
        }
    )
    assert policy == MaintenancePolicy(timedelta(days=3), 2, 16 << 20, 4)
    assert MaintenancePolicy.from_env({}) == MaintenancePolicy(timedelta(days=7), 5, 8 << 20, 10)
    with pytest.raises(MaintenanceConfigError, match="OLP_MAINTENANCE_RETENTION_DAYS='0.5'"):
        MaintenancePolicy.from_env({"OLP_MAINTENANCE_RETENTION_DAYS": "0.5"})
    with pytest.raises(MaintenanceConfigError, match="OLP_MAINTENANCE_MIN_SNAPSHOTS='many'"):
        MaintenancePolicy.from_env({"OLP_MAINTENANCE_MIN_SNAPSHOTS": "many"})
