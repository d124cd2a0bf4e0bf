"""Table maintenance through Trino's Iceberg procedures (qa and production).

Per table, on the Airflow connection ``trino_default`` (its extra ``catalog`` names the
Iceberg catalog, ``iceberg`` by default)::

    SELECT count(*), coalesce(sum(file_size_in_bytes), 0), count_if(file_size_in_bytes < S)
      FROM "<catalog>"."<schema>"."<table>$files"                   -- files and bytes before
    SELECT snapshot_id, committed_at FROM ..."<table>$snapshots" ORDER BY committed_at DESC
    ALTER TABLE "<catalog>"."<schema>"."<table>" EXECUTE optimize(file_size_threshold => '8MB')
        -- only with at least min_small_files files under the threshold
    ALTER TABLE ... EXECUTE expire_snapshots(retention_threshold => '7d')
    ALTER TABLE ... EXECUTE remove_orphan_files(retention_threshold => '7d')
    (then $files and $snapshots again: files after, snapshots expired)

Trino's ``expire_snapshots`` keeps only what is younger than the threshold, so to keep at
least ``min_snapshots`` the threshold is widened to the age of the N-th newest snapshot when
that is older than the retention. Recent Trino versions answer ``remove_orphan_files`` with
metrics (``deleted_files_count``); without them the report says unknown. A commit Trino
reports as conflicting (``ICEBERG_COMMIT_ERROR``) is retried, then the table is skipped.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ol_platform.lake.maintenance import (
    CommitConflict,
    MaintenancePolicy,
    TableReport,
    TableSkipped,
    with_retries,
)

log = logging.getLogger(__name__)

TRINO_CONN_ID = "trino_default"
DEFAULT_CATALOG = "iceberg"
# Trino's error names for a lost optimistic commit (the Iceberg connector's).
CONFLICT_ERRORS = {"ICEBERG_COMMIT_ERROR", "TRANSACTION_CONFLICT"}


def quote(identifier: str) -> str:
    """A Trino delimited identifier: table names come from the catalog, not from us."""
    return '"' + identifier.replace('"', '""') + '"'


def duration(value: timedelta) -> str:
    """A Trino duration literal: whole days as ``7d``, otherwise whole seconds, rounded up."""
    seconds = math.ceil(value.total_seconds())
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{seconds}s"


def data_size(n_bytes: int) -> str:
    """A Trino data size literal: ``8MB`` for 8 MiB (Trino's units are binary)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n_bytes % size == 0:
            return f"{n_bytes // size}{unit}"
    return f"{n_bytes}B"


def _error_name(exc: BaseException) -> str | None:
    """The Trino error name of an exception, also when the hook wrapped it."""
    seen: BaseException | None = exc
    while seen is not None:
        name = getattr(seen, "error_name", None)
        if name:
            return name
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__
    return None


class TrinoMaintenance:
    name = "trino"

    def __init__(
        self,
        records: Callable[[str], list[tuple]],
        catalog: str = DEFAULT_CATALOG,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.records = records
        self.catalog = catalog
        self.now = now or (lambda: datetime.now(UTC))

    @classmethod
    def from_connection(cls, conn_id: str = TRINO_CONN_ID) -> TrinoMaintenance:
        from airflow.providers.trino.hooks.trino import TrinoHook

        hook = TrinoHook(trino_conn_id=conn_id)
        catalog = hook.get_connection(conn_id).extra_dejson.get("catalog") or DEFAULT_CATALOG
        return cls(lambda sql: hook.get_records(sql) or [], catalog)

    def _name(self, schema: str, table: str, suffix: str = "") -> str:
        return f"{quote(self.catalog)}.{quote(schema)}.{quote(table + suffix)}"

    def list_tables(self, namespace: str) -> list[str]:
        exists = self.records(
            f"SELECT count(*) FROM {quote(self.catalog)}.information_schema.schemata "
            f"WHERE schema_name = '{namespace.replace(chr(39), chr(39) * 2)}'"
        )
        if not exists or not exists[0][0]:
            log.info(
                "%s: schema does not exist in %s; nothing to maintain", namespace, self.catalog
            )
            return []
        rows = self.records(f"SHOW TABLES FROM {quote(self.catalog)}.{quote(namespace)}")
        return sorted(row[0] for row in rows)

    def maintain(self, namespace: str, table: str, policy: MaintenancePolicy) -> TableReport:
        report = TableReport(f"{namespace}.{table}")
        target = self._name(namespace, table)
        files, size, small = self._files(namespace, table, policy)
        report.data_files_before, report.bytes_before = files, size
        snapshots = self._snapshots(namespace, table)
        try:
            if small >= policy.min_small_files:
                self._execute(
                    f"ALTER TABLE {target} EXECUTE "
                    f"optimize(file_size_threshold => '{data_size(policy.small_file_bytes)}')",
                    f"{report.table}: optimize",
                    policy,
                )
                report.compacted = True
            threshold = duration(self._retention(snapshots, policy))
            self._execute(
                f"ALTER TABLE {target} EXECUTE "
                f"expire_snapshots(retention_threshold => '{threshold}')",
                f"{report.table}: expire_snapshots",
                policy,
            )
            metrics = self._execute(
                f"ALTER TABLE {target} EXECUTE "
                f"remove_orphan_files(retention_threshold => '{duration(policy.retention)}')",
                f"{report.table}: remove_orphan_files",
                policy,
            )
            report.orphan_files_removed = _deleted_files(metrics)
        except TableSkipped as exc:
            report.status, report.message = "skipped", str(exc)
        remaining = {s for s, _ in self._snapshots(namespace, table)}
        report.snapshots_expired = len({s for s, _ in snapshots} - remaining)
        report.data_files_after, report.bytes_after, _ = self._files(namespace, table, policy)
        return report

    def _files(self, schema: str, table: str, policy: MaintenancePolicy) -> tuple[int, int, int]:
        rows = self.records(
            "SELECT count(*), coalesce(sum(file_size_in_bytes), 0), "
            f"count_if(file_size_in_bytes < {policy.small_file_bytes}) "
            f"FROM {self._name(schema, table, '$files')}"
        )
        count, size, small = rows[0]
        return int(count), int(size), int(small)

    def _snapshots(self, schema: str, table: str) -> list[tuple[int, datetime]]:
        return [
            (int(snapshot_id), committed_at)
            for snapshot_id, committed_at in self.records(
                f"SELECT snapshot_id, committed_at FROM {self._name(schema, table, '$snapshots')} "
                "ORDER BY committed_at DESC"
            )
        ]

    def _retention(
        self, snapshots: list[tuple[int, datetime]], policy: MaintenancePolicy
    ) -> timedelta:
        """The retention, widened so that the ``min_snapshots`` newest snapshots survive."""
        if len(snapshots) < policy.min_snapshots:
            return policy.retention
        oldest_kept = snapshots[policy.min_snapshots - 1][1]
        age = self.now() - oldest_kept + timedelta(seconds=1)
        return max(policy.retention, age)

    def _execute(self, sql: str, what: str, policy: MaintenancePolicy) -> list[tuple]:
        def attempt() -> list[tuple]:
            try:
                return self.records(sql)
            except Exception as exc:
                if _error_name(exc) in CONFLICT_ERRORS:
                    raise CommitConflict(str(exc)) from exc
                raise

        return with_retries(attempt, what, policy.attempts)


def _deleted_files(metrics: list[tuple[Any, ...]]) -> int | None:
    """``deleted_files_count`` from ``remove_orphan_files``' metric rows, if Trino sent any."""
    values = {str(row[0]): row[1] for row in metrics if len(row) >= 2}
    value = values.get("deleted_files_count")
    return None if value is None else int(value)
