"""Table maintenance through pyiceberg (local and CI), the counterpart of Trino's procedures.

pyiceberg 0.12 offers snapshot expiry (``table.maintenance.expire_snapshots()``) but neither
compaction nor orphan-file removal, and its expiry only edits metadata (it deletes no file).
So, with the same outcome as Trino's ``optimize`` / ``expire_snapshots`` /
``remove_orphan_files``:

- **compaction** reads the small data files through pyiceberg's own scan (schema evolution
  resolved) and, in one overwrite commit, adds the rewritten files and removes the small
  ones. The commit is refused unless the rewritten files hold exactly the rows read. Tables
  with row-level delete files (which pyiceberg never writes) are not compacted locally.
- **snapshot expiry** chooses the snapshots itself (older than the retention and not among
  the newest ``min_snapshots`` of the current lineage, never a branch or tag head) and
  removes them with pyiceberg's ``ExpireSnapshots``.
- **orphan files** are the files under the table's location that no metadata file in the
  log, snapshot, manifest list or manifest references, older than the retention; they are
  deleted through the table's FileIO. This is where expired snapshots' files go away.

Every commit is optimistic: one that loses to a concurrent writer is retried on fresh
metadata; after ``policy.attempts`` lost races the table is skipped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.io.pyarrow import ArrowScan, PyArrowFileIO, _dataframe_to_data_files
from pyiceberg.table import FileScanTask, Table

from ol_platform.lake.maintenance import (
    CommitConflict,
    MaintenancePolicy,
    TableReport,
    TableSkipped,
    with_retries,
)

log = logging.getLogger(__name__)

# Small files are read and rewritten in groups of at most this many bytes on disk, so
# compacting a table holds one group in memory, not the table.
REWRITE_GROUP_BYTES = 256 << 20
SNAPSHOT_PROPERTY = "olp.maintenance"


class PyIcebergMaintenance:
    name = "pyiceberg"

    def __init__(self, catalog: Catalog, now: Callable[[], datetime] | None = None) -> None:
        self.catalog = catalog
        self.now = now or (lambda: datetime.now(UTC))

    def list_tables(self, namespace: str) -> list[str]:
        if not self.catalog.namespace_exists(namespace):
            log.info("%s: namespace does not exist yet; nothing to maintain", namespace)
            return []
        return sorted(identifier[-1] for identifier in self.catalog.list_tables(namespace))

    def maintain(self, namespace: str, table: str, policy: MaintenancePolicy) -> TableReport:
        identifier = f"{namespace}.{table}"
        report = TableReport(identifier)
        report.data_files_before, report.bytes_before = file_totals(self._load(identifier))
        try:
            report.compacted = with_retries(
                lambda: _conflicts_as(compact, self._load(identifier), policy),
                f"{identifier}: compaction",
                policy.attempts,
            )
            report.snapshots_expired = with_retries(
                lambda: _conflicts_as(expire_snapshots, self._load(identifier), policy, self.now()),
                f"{identifier}: snapshot expiry",
                policy.attempts,
            )
            report.orphan_files_removed = remove_orphan_files(
                lambda: self._load(identifier), policy, self.now()
            )
        except TableSkipped as exc:
            report.status, report.message = "skipped", str(exc)
        report.data_files_after, report.bytes_after = file_totals(self._load(identifier))
        return report

    def _load(self, identifier: str) -> Table:
        return self.catalog.load_table(identifier)


def _conflicts_as(step: Callable, *args):
    """Run a committing step; a lost optimistic commit becomes :class:`CommitConflict`."""
    try:
        return step(*args)
    except (CommitFailedException, ValidationException) as exc:
        raise CommitConflict(str(exc)) from exc


def file_totals(table: Table) -> tuple[int, int]:
    """Data files and their bytes in the current snapshot, from its summary."""
    snapshot = table.current_snapshot()
    if snapshot is None or snapshot.summary is None:
        return 0, 0
    summary = snapshot.summary
    return int(summary.get("total-data-files", "0")), int(summary.get("total-files-size", "0"))


def compact(table: Table, policy: MaintenancePolicy) -> bool:
    """Rewrite the table's small files into large ones in one commit; True if it did."""
    if table.current_snapshot() is None:
        return False
    tasks = list(table.scan().plan_files())
    if any(task.delete_files for task in tasks):
        raise TableSkipped(
            f"{_name(table)}: has row-level delete files; local compaction rewrites only "
            "copy-on-write tables (production compacts through Trino)"
        )
    spec_id = table.metadata.default_spec_id
    small = [
        t
        for t in tasks
        if t.file.file_size_in_bytes < policy.small_file_bytes and t.file.spec_id == spec_id
    ]
    if len(small) < policy.min_small_files:
        return False
    groups = _rewrite_groups(small)
    if not groups:
        return False
    write_uuid = uuid.uuid4()
    with table.transaction() as tx:
        rewrite = tx.update_snapshot(snapshot_properties={SNAPSHOT_PROPERTY: "compaction"})
        with rewrite.overwrite() as overwrite:
            for group in groups:
                expected = sum(t.file.record_count for t in group)
                data = ArrowScan(
                    tx.table_metadata, table.io, table.schema(), AlwaysTrue()
                ).to_table(group)
                files = list(
                    _dataframe_to_data_files(tx.table_metadata, data, table.io, write_uuid)
                )
                written = sum(f.record_count for f in files)
                if not (data.num_rows == written == expected):
                    # Never commit a rewrite that would lose or invent a row version.
                    raise RuntimeError(
                        f"{_name(table)}: compaction read {data.num_rows} rows and wrote "
                        f"{written} from files holding {expected}; nothing was committed"
                    )
                for task in group:
                    overwrite.delete_data_file(task.file)
                for data_file in files:
                    overwrite.append_data_file(data_file)
    log.info("%s: compacted %d small files in %d group(s)", _name(table), len(small), len(groups))
    return True


def _rewrite_groups(tasks: list[FileScanTask]) -> list[list[FileScanTask]]:
    """Small files grouped by partition, each group bounded in bytes."""
    by_partition: dict[str, list[FileScanTask]] = {}
    for task in tasks:
        by_partition.setdefault(repr(task.file.partition), []).append(task)
    groups: list[list[FileScanTask]] = []
    for members in by_partition.values():
        current: list[FileScanTask] = []
        size = 0
        for task in members:
            if current and size + task.file.file_size_in_bytes > REWRITE_GROUP_BYTES:
                groups.append(current)
                current, size = [], 0
            current.append(task)
            size += task.file.file_size_in_bytes
        groups.append(current)
    # Rewriting a lone file into itself gains nothing.
    return [g for g in groups if len(g) > 1]


def expire_snapshots(table: Table, policy: MaintenancePolicy, now: datetime) -> int:
    """Expire snapshots older than the retention, keeping the newest of the current lineage."""
    metadata = table.metadata
    keep = {ref.snapshot_id for ref in metadata.refs.values()}
    snapshot = table.current_snapshot()
    lineage = 0
    while snapshot is not None and lineage < policy.min_snapshots:
        keep.add(snapshot.snapshot_id)
        lineage += 1
        parent = snapshot.parent_snapshot_id
        snapshot = metadata.snapshot_by_id(parent) if parent is not None else None
    cutoff_ms = int((now - policy.retention).timestamp() * 1000)
    expired = [
        s.snapshot_id
        for s in metadata.snapshots
        if s.snapshot_id not in keep and s.timestamp_ms < cutoff_ms
    ]
    if expired:
        table.maintenance.expire_snapshots().by_ids(expired).commit()
    return len(expired)


def remove_orphan_files(load: Callable[[], Table], policy: MaintenancePolicy, now: datetime) -> int:
    """Delete the files under the table's location that nothing references any more.

    The location is listed before the metadata is read: a file committed in between is then
    referenced by what is read, and a file still being written is younger than the retention.
    """
    table = load()
    io = table.io
    if not isinstance(io, PyArrowFileIO):
        raise TableSkipped(
            f"{_name(table)}: orphan files can be listed only through pyiceberg's PyArrowFileIO "
            f"(this catalog uses {type(io).__name__})"
        )
    scheme, netloc, root = io.parse_location(table.location())
    fs = io.fs_by_scheme(scheme, netloc)
    from pyarrow.fs import FileSelector, FileType

    listed = [
        info
        for info in fs.get_file_info(FileSelector(root, recursive=True, allow_not_found=True))
        if info.type == FileType.File
    ]
    referenced = {io.parse_location(path)[2] for path in referenced_files(load())}
    cutoff_ns = int((now - policy.retention).timestamp() * 1e9)
    orphans = [i for i in listed if i.path not in referenced and i.mtime_ns < cutoff_ns]
    for info in orphans:
        io.delete(info.path if scheme == "file" else f"{scheme}://{info.path}")
    if orphans:
        log.info("%s: removed %d orphan files", _name(table), len(orphans))
    return len(orphans)


def referenced_files(table: Table) -> set[str]:
    """Every file the table's metadata still reaches: metadata, manifests and their files."""
    metadata = table.metadata
    paths = {table.metadata_location, *(entry.metadata_file for entry in metadata.metadata_log)}
    paths |= {s.statistics_path for s in metadata.statistics}
    paths |= {s.statistics_path for s in getattr(metadata, "partition_statistics", [])}
    manifests = {}
    for snapshot in metadata.snapshots:
        paths.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(table.io):
            manifests[manifest.manifest_path] = manifest
    paths |= set(manifests)
    for manifest in manifests.values():
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            paths.add(entry.data_file.file_path)
    return paths


def _name(table: Table) -> str:
    return ".".join(table.name())
