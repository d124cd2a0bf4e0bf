"""Commit a batch of rows to an Iceberg table as one transaction.

A load either lands whole or not at all: schema evolution, the delete of replaced keys and
the append happen in a single catalog commit, so a failed or killed load leaves the table as
it was and a rerun of the same batch leaves it as one clean run would.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions import And, BooleanExpression, EqualTo, GreaterThanOrEqual, In, Or
from pyiceberg.table import Table

from ol_platform.lake.catalog import ensure_namespace
from ol_platform.lake.stats import column_max

log = logging.getLogger(__name__)


class WriteDisposition(StrEnum):
    APPEND = "append"
    MERGE = "merge"
    REPLACE = "replace"
    # Append the batch's rows as new versions of their keys; readers (the dbt staging models)
    # keep the newest ``_airbyte_extracted_at`` per key, as with Airbyte's append + dedup.
    # Costs the rows changed, where a copy-on-write merge rewrites every file a key touches.
    VERSIONED = "versioned"


# A replace that would leave fewer rows than this share of the table is refused: a truncated
# feed must not wipe the lake.
REPLACE_MIN_RATIO = 0.8


# pyiceberg bins a streamed load into files of this many in-memory Arrow bytes and holds one
# bin in memory: its 512 MiB default put a 10M-row load at 2.5 GiB peak RSS, 32 MiB keeps it
# near 0.8 GiB (files of ~10 MB on disk, fine for raw tables). Row groups of
# 128k rows (not 1M) let an incremental run's boundary read skip most of a file.
TABLE_PROPERTIES = {
    "write.target-file-size-bytes": str(32 << 20),
    "write.parquet.row-group-limit": str(128 << 10),
}


class LoadRefusedError(ValueError):
    """A guard refused the load before anything was written; the table is untouched."""


@dataclass(frozen=True)
class CommitResult:
    table: str
    disposition: WriteDisposition
    rows_in_batch: int
    rows_written: int
    total_rows: int
    snapshot_id: int | None
    seconds: float


def _nullable(schema: pa.Schema) -> pa.Schema:
    """Raw tables accept nulls everywhere: a source that later sends a null must not fail."""
    fields = []
    for f in schema:
        if pa.types.is_timestamp(f.type) and f.type.unit == "ns":
            f = f.with_type(pa.timestamp("us", tz=f.type.tz))
        fields.append(f.with_nullable(True))
    return pa.schema(fields)


def _conform(data: pa.Table, target: pa.Schema) -> pa.Table:
    """Order, fill and cast the batch's columns to the table's current schema."""
    columns = []
    for field in target:
        if field.name in data.column_names:
            columns.append(data.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(data.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=target)


def deduplicate(data: pa.Table, keys: list[str]) -> pa.Table:
    """Keep the last row per key: a batch may carry a row twice (updated twice in a window)."""
    if not keys or data.num_rows == 0:
        return data
    indexed = data.append_column("__row", pa.array(range(data.num_rows), pa.int64()))
    last = indexed.group_by(keys, use_threads=False).aggregate([("__row", "max")])
    keep = pc.sort_indices(last.column("__row_max"))
    return data.take(pc.take(last.column("__row_max"), keep))


def _key_filter(batch: pa.Table, keys: list[str]) -> BooleanExpression:
    if len(keys) == 1:
        values = pc.unique(batch.column(keys[0])).to_pylist()
        return In(keys[0], values)
    rows = batch.select(keys).group_by(keys).aggregate([]).to_pylist()
    clauses = [reduce(And, [EqualTo(k, row[k]) for k in keys]) for row in rows]
    return _balanced_or(clauses)


def _balanced_or(clauses: list[BooleanExpression]) -> BooleanExpression:
    """OR as a balanced tree: pyiceberg's visitors recurse, a chain of 1,000 would overflow."""
    while len(clauses) > 1:
        pairs = [Or(a, b) for a, b in zip(clauses[::2], clauses[1::2], strict=False)]
        clauses = pairs + ([clauses[-1]] if len(clauses) % 2 else [])
    return clauses[0]


def _type_family(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_timestamp(t):
        return f"timestamp{'tz' if t.tz else ''}"
    return str(t)


def check_frozen_types(identifier: str, current: pa.Schema, batch: pa.Schema) -> None:
    """Refuse a batch whose column changed type family; new columns are welcome."""
    existing = {f.name: f.type for f in current}
    for field in batch:
        old = existing.get(field.name)
        if old is None or pa.types.is_null(field.type):
            continue
        if _type_family(old) != _type_family(field.type):
            raise LoadRefusedError(
                f"{identifier}: column '{field.name}' changed type from {old} to {field.type}; "
                "column types are frozen for this source, so nothing was written. Fix the feed "
                "or evolve the table deliberately."
            )


def check_shrink(identifier: str, table: Table, batch_rows: int, min_ratio: float) -> None:
    previous = row_count(table)
    if previous and batch_rows < min_ratio * previous:
        raise LoadRefusedError(
            f"{identifier}: replace refused: the load has {batch_rows} rows, below "
            f"{min_ratio:.0%} of the {previous} rows in the table; a truncated feed must not "
            "wipe the lake, so the table is unchanged"
        )


def load_or_create(catalog: Catalog, identifier: str, schema: pa.Schema) -> Table:
    try:
        return catalog.load_table(identifier)
    except NoSuchTableError:
        ensure_namespace(catalog, identifier.rsplit(".", 1)[0])
        return catalog.create_table_if_not_exists(
            identifier, schema=_nullable(schema), properties=TABLE_PROPERTIES
        )


class _KnownVersions:
    """The (key, cursor) pairs already in the lake, read only as far back as a batch reaches.

    An incremental extract re-reads the rows sitting on the previous cursor value (``>=``,
    since more rows may have arrived with that same value); those versions are in the lake
    already and must not be appended twice. Rows above the lake's highest cursor are new by
    construction, so an incremental run reads only the boundary rows of the last load.
    """

    def __init__(self, table: Table, keys: list[str], cursor: str) -> None:
        self.table, self.cursor, self.columns = table, cursor, [*keys, cursor]
        self.boundary = column_max(table, cursor)
        self._floor = None
        self._known: pa.Table | None = None

    def new_rows(self, batch: pa.Table) -> pa.Table:
        if self.boundary is None or batch.num_rows == 0:
            return batch
        low = pc.min(batch.column(self.cursor)).as_py()
        if low is None or low > self.boundary:
            return batch
        if self._known is None or low < self._floor:
            # An ISO string literal binds to date, timestamp and timestamptz columns alike.
            literal = low.isoformat() if hasattr(low, "isoformat") else low
            self._known = self.table.scan(
                row_filter=GreaterThanOrEqual(self.cursor, literal), selected_fields=self.columns
            ).to_arrow()
            self._floor = low
        known = self._known.cast(batch.select(self.columns).schema)
        # Join on the key columns only: Acero cannot carry struct/list columns through a join.
        probe = batch.select(self.columns).append_column(
            "__row", pa.array(range(batch.num_rows), pa.int64())
        )
        fresh = probe.join(known, keys=self.columns, join_type="left anti").column("__row")
        return batch.take(pc.take(fresh, pc.sort_indices(fresh)))


def commit(
    catalog: Catalog,
    identifier: str,
    data: pa.Table | pa.RecordBatchReader,
    *,
    disposition: WriteDisposition,
    primary_key: list[str] | None = None,
    cursor: str | None = None,
    freeze_types: bool = False,
    min_replace_ratio: float = REPLACE_MIN_RATIO,
) -> CommitResult:
    """Write ``data`` to ``identifier`` (``namespace.table``) in one Iceberg transaction.

    A :class:`pyarrow.RecordBatchReader` is streamed into data files for append and
    versioned loads, so memory stays bounded by a batch, not the load. Guards run first and
    raise :class:`LoadRefusedError` without writing: with ``freeze_types`` a column whose type
    changed is refused; a replace below ``min_replace_ratio`` of the current rows is refused.
    """
    started = time.monotonic()
    keys = list(primary_key or [])
    if disposition in (WriteDisposition.MERGE, WriteDisposition.VERSIONED) and not keys:
        raise ValueError(f"{identifier}: a {disposition.value} load needs a primary key")
    if disposition is WriteDisposition.VERSIONED and not cursor:
        raise ValueError(f"{identifier}: a versioned load needs a cursor column")
    streaming = isinstance(data, pa.RecordBatchReader)
    if streaming and disposition in (WriteDisposition.MERGE, WriteDisposition.REPLACE):
        data, streaming = data.read_all(), False
    missing = [k for k in keys if k not in data.schema.names]
    if missing:
        raise ValueError(f"{identifier}: primary key column(s) {missing} not in the batch")
    if cursor and cursor not in data.schema.names:
        raise ValueError(f"{identifier}: cursor column '{cursor}' not in the batch")
    if not streaming and disposition in (WriteDisposition.MERGE, WriteDisposition.VERSIONED):
        data = deduplicate(data, keys)
    table = load_or_create(catalog, identifier, data.schema)
    if freeze_types:
        check_frozen_types(identifier, table.schema().as_arrow(), data.schema)
    if disposition is WriteDisposition.REPLACE:
        check_shrink(identifier, table, data.num_rows, min_replace_ratio)
    known = (
        _KnownVersions(table, keys, cursor)
        if disposition is WriteDisposition.VERSIONED and cursor
        else None
    )
    counts = {"read": 0, "written": 0}

    def prepared(batch: pa.Table, target: pa.Schema) -> pa.Table:
        counts["read"] += batch.num_rows
        batch = _conform(batch, target)
        if known is not None:
            batch = known.new_rows(batch)
        counts["written"] += batch.num_rows
        return batch

    with table.transaction() as tx:
        with tx.update_schema() as update:
            update.union_by_name(_nullable(data.schema))
        target = tx.table_metadata.schema().as_arrow()
        if streaming:
            reader = pa.RecordBatchReader.from_batches(
                target,
                (
                    out
                    for rb in data
                    for out in prepared(pa.Table.from_batches([rb]), target).to_batches()
                ),
            )
            tx.append(reader)
        else:
            batch = prepared(data, target)
            if disposition is WriteDisposition.REPLACE:
                tx.overwrite(batch)
            else:
                if disposition is WriteDisposition.MERGE and batch.num_rows:
                    with warnings.catch_warnings():
                        # A batch of only new keys matches nothing: expected, not worth a warning.
                        warnings.filterwarnings("ignore", "Delete operation did not match")
                        tx.delete(delete_filter=_key_filter(batch, keys))
                if batch.num_rows:
                    tx.append(batch)
    snapshot = table.current_snapshot()  # the commit updated ``table`` in place
    result = CommitResult(
        table=identifier,
        disposition=disposition,
        rows_in_batch=counts["read"],
        rows_written=counts["written"],
        total_rows=row_count(table),
        snapshot_id=snapshot.snapshot_id if snapshot else None,
        seconds=time.monotonic() - started,
    )
    log.info(
        "%s: %s of %d rows (%d written) committed in %.2fs; table now has %d rows",
        identifier,
        disposition.value,
        result.rows_in_batch,
        result.rows_written,
        result.seconds,
        result.total_rows,
    )
    return result


def row_count(table: Table) -> int:
    """Rows in the current snapshot, from its summary (no data file is read)."""
    snapshot = table.current_snapshot()
    if snapshot is None or snapshot.summary is None:
        return 0
    return int(snapshot.summary.get("total-records", "0"))
