"""Iceberg table maintenance: the policy, the per-table report and the namespace loop.

Raw tables grow by appending row versions every few hours (``lake/writer.py``): each load
adds a snapshot and a few small files, so scans open ever more files and old snapshots pin
every file ever written. Once a day, for every table of a namespace:

1. **compact** when the table has at least ``min_small_files`` data files smaller than
   ``small_file_bytes``: those files are rewritten into larger ones in one commit. Every row
   is kept, every version of a key included: compaction rewrites files, it never filters.
2. **expire snapshots** older than ``retention``, always keeping the ``min_snapshots`` newest
   of the current lineage (and every branch or tag head). Only time travel further back than
   that is lost; the current table, and so every row version, is untouched.
3. **remove orphan files**: files under the table's location that no remaining snapshot,
   manifest or metadata file references, and older than ``retention`` (a younger one may
   belong to a load still in flight).

Two engines do the work: Trino in production (``lake/trino_maintenance.py``) and pyiceberg
locally (``lake/local_maintenance.py``). A table whose commits keep losing to concurrent
writers is skipped with a message (the next run retries); a table that fails does not stop
the others, and the namespace then fails listing it.

This module imports nothing heavy: DAG files import it at parse time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

ENV_RETENTION_DAYS = "OLP_MAINTENANCE_RETENTION_DAYS"
ENV_MIN_SNAPSHOTS = "OLP_MAINTENANCE_MIN_SNAPSHOTS"
ENV_SMALL_FILE_MB = "OLP_MAINTENANCE_SMALL_FILE_MB"
ENV_MIN_SMALL_FILES = "OLP_MAINTENANCE_MIN_SMALL_FILES"


class MaintenanceConfigError(ValueError):
    """A maintenance setting is invalid; nothing was touched."""


@dataclass(frozen=True)
class MaintenancePolicy:
    # A week of time travel: a bad load found on Monday can still be read as of Friday.
    retention: timedelta = timedelta(days=7)
    # Even a table that has not loaded for weeks keeps its last few snapshots.
    min_snapshots: int = 5
    # The writer's full files are ~10 MB on disk; an incremental load leaves far smaller ones.
    small_file_bytes: int = 8 << 20
    # Four loads a day: compacting from 10 small files on rewrites a table every few days.
    min_small_files: int = 10
    # Commit attempts per step before a table is skipped for concurrent writers.
    attempts: int = 3

    def __post_init__(self) -> None:
        if self.retention < timedelta(0):
            raise MaintenanceConfigError("maintenance retention must not be negative")
        if self.min_snapshots < 1:
            raise MaintenanceConfigError("maintenance must keep at least 1 snapshot")
        if self.small_file_bytes < 1 or self.min_small_files < 2 or self.attempts < 1:
            raise MaintenanceConfigError(
                "small_file_bytes must be positive, min_small_files at least 2, attempts at least 1"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MaintenancePolicy:
        """The defaults, overridden by ``OLP_MAINTENANCE_*`` variables.

        Retention from the environment is at least one day: below that, orphan-file removal
        could take the files of a load still being written for orphans.
        """
        environ = os.environ if environ is None else environ
        defaults = cls()

        def number(name: str, default: float, minimum: float, kind: type) -> float:
            raw = environ.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise MaintenanceConfigError(
                    f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number"
                ) from None
            if value < minimum:
                raise MaintenanceConfigError(f"{name}={raw!r} must be at least {minimum}")
            return value

        return cls(
            retention=timedelta(days=number(ENV_RETENTION_DAYS, defaults.retention.days, 1, float)),
            min_snapshots=int(number(ENV_MIN_SNAPSHOTS, defaults.min_snapshots, 1, int)),
            small_file_bytes=int(
                number(ENV_SMALL_FILE_MB, defaults.small_file_bytes / (1 << 20), 0.001, float)
                * (1 << 20)
            ),
            min_small_files=int(number(ENV_MIN_SMALL_FILES, defaults.min_small_files, 2, int)),
        )


@dataclass
class TableReport:
    """What maintenance did to one table; the values are the Asset event's extra."""

    table: str
    status: str = "ok"  # ok | skipped (lost to concurrent writers) | failed
    compacted: bool = False
    snapshots_expired: int = 0
    # None when the engine does not say (older Trino versions return no metrics).
    orphan_files_removed: int | None = 0
    data_files_before: int = 0
    data_files_after: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def log_line(self) -> str:
        orphans = "?" if self.orphan_files_removed is None else self.orphan_files_removed
        line = (
            f"{self.table}: {self.status}; compacted={'yes' if self.compacted else 'no'}, "
            f"snapshots expired {self.snapshots_expired}, orphan files removed {orphans}, "
            f"data files {self.data_files_before} -> {self.data_files_after}, "
            f"bytes {self.bytes_before} -> {self.bytes_after}"
        )
        return f"{line}; {self.message}" if self.message else line


@dataclass
class NamespaceReport:
    namespace: str
    engine: str
    tables: list[TableReport] = field(default_factory=list)

    @property
    def failed(self) -> list[TableReport]:
        return [t for t in self.tables if t.status == "failed"]

    @property
    def skipped(self) -> list[TableReport]:
        return [t for t in self.tables if t.status == "skipped"]

    def as_extra(self) -> dict:
        return {
            "namespace": self.namespace,
            "engine": self.engine,
            "tables": {t.table.rsplit(".", 1)[-1]: t.as_dict() for t in self.tables},
            "skipped": [t.table for t in self.skipped],
        }

    def raise_for_failures(self) -> None:
        if self.failed:
            listing = "; ".join(f"{t.table}: {t.message}" for t in self.failed)
            raise MaintenanceError(
                f"maintenance of {self.namespace} failed for {len(self.failed)} of "
                f"{len(self.tables)} table(s) (the others were maintained): {listing}"
            )


class MaintenanceError(RuntimeError):
    """One or more tables of a namespace could not be maintained."""


class CommitConflict(Exception):
    """A commit lost to a concurrent writer; the step may be retried on fresh metadata."""


class TableSkipped(Exception):
    """The table was left as it was, for a reason that is not a failure."""


class MaintenanceEngine(Protocol):
    name: str

    def list_tables(self, namespace: str) -> list[str]: ...

    def maintain(self, namespace: str, table: str, policy: MaintenancePolicy) -> TableReport: ...


def with_retries(step: Callable[[], T], what: str, attempts: int) -> T:
    """Run ``step`` until it commits; after ``attempts`` lost races, skip the table."""
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except CommitConflict as exc:
            log.warning("%s: commit conflict (attempt %d of %d): %s", what, attempt, attempts, exc)
    raise TableSkipped(
        f"{what} lost {attempts} commit races to concurrent writers; the table was left as "
        "it was and the next run retries"
    )


def run_namespace(
    engine: MaintenanceEngine, namespace: str, policy: MaintenancePolicy
) -> NamespaceReport:
    """Maintain every table of ``namespace``, one at a time, one log line per table."""
    report = NamespaceReport(namespace=namespace, engine=engine.name)
    tables = engine.list_tables(namespace)
    log.info(
        "%s: %d table(s) through %s; retention %s, keep >= %d snapshots, compact from %d "
        "files under %d bytes",
        namespace,
        len(tables),
        engine.name,
        policy.retention,
        policy.min_snapshots,
        policy.min_small_files,
        policy.small_file_bytes,
    )
    for table in tables:
        identifier = f"{namespace}.{table}"
        try:
            result = engine.maintain(namespace, table, policy)
        except TableSkipped as exc:
            result = TableReport(identifier, status="skipped", message=str(exc))
        except Exception as exc:  # one table's failure must not stop the others
            log.exception("%s: maintenance failed", identifier)
            result = TableReport(
                identifier, status="failed", message=f"{type(exc).__name__}: {exc}"
            )
        report.tables.append(result)
        (log.error if result.status == "failed" else log.info)("%s", result.log_line())
    return report
