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
from pyiceberg.expressions import And, BooleanExpression, EqualTo, In, Or
from pyiceberg.table import Table

from ol_platform.lake.catalog import ensure_namespace

log = logging.getLogger(__name__)


class WriteDisposition(StrEnum):
    APPEND = "append"
    MERGE = "merge"
    REPLACE = "replace"


# A replace that would leave fewer rows than this share of the table is refused: a truncated
# feed must not wipe the lake (REFERENCE.md §2).
REPLACE_MIN_RATIO = 0.8


class LoadRefusedError(ValueError):
    """A guard refused the load before anything was written; the table is untouched."""


@dataclass(frozen=True)
class CommitResult:
    table: str
    disposition: WriteDisposition
    rows_in_batch: int
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
        return catalog.create_table_if_not_exists(identifier, schema=_nullable(schema))


def commit(
    catalog: Catalog,
    identifier: str,
    data: pa.Table,
    *,
    disposition: WriteDisposition,
    primary_key: list[str] | None = None,
    freeze_types: bool = False,
    min_replace_ratio: float = REPLACE_MIN_RATIO,
) -> CommitResult:
    """Write ``data`` to ``identifier`` (``namespace.table``) in one Iceberg transaction.

    Guards run first and raise :class:`LoadRefusedError` without writing: with
    ``freeze_types`` a column whose type changed is refused; a replace below
    ``min_replace_ratio`` of the current row count is refused.
    """
    started = time.monotonic()
    keys = list(primary_key or [])
    if disposition is WriteDisposition.MERGE and not keys:
        raise ValueError(f"{identifier}: a merge needs a primary key")
    missing = [k for k in keys if k not in data.column_names]
    if missing:
        raise ValueError(f"{identifier}: primary key column(s) {missing} not in the batch")
    data = deduplicate(data, keys) if disposition is WriteDisposition.MERGE else data
    table = load_or_create(catalog, identifier, data.schema)
    if freeze_types:
        check_frozen_types(identifier, table.schema().as_arrow(), data.schema)
    if disposition is WriteDisposition.REPLACE:
        check_shrink(identifier, table, data.num_rows, min_replace_ratio)
    with table.transaction() as tx:
        with tx.update_schema() as update:
            update.union_by_name(_nullable(data.schema))
        batch = _conform(data, tx.table_metadata.schema().as_arrow())
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
    table = table.refresh()
    snapshot = table.current_snapshot()
    result = CommitResult(
        table=identifier,
        disposition=disposition,
        rows_in_batch=data.num_rows,
        total_rows=row_count(table),
        snapshot_id=snapshot.snapshot_id if snapshot else None,
        seconds=time.monotonic() - started,
    )
    log.info(
        "%s: %s of %d rows committed in %.2fs; table now has %d rows",
        identifier,
        disposition.value,
        result.rows_in_batch,
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
