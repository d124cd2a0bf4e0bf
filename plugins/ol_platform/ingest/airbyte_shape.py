"""Give locally extracted rows the shape Airbyte gives its raw tables (REFERENCE.md §2).

Airbyte's destinations add ``_airbyte_raw_id`` (varchar), ``_airbyte_extracted_at``
(timestamp), ``_airbyte_meta`` (struct of sync_id and a list of changes) and
``_airbyte_generation_id`` (bigint). Tables fed from the local sample systems carry the same
columns so the dbt staging models read local and production raw tables alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pyarrow as pa

from ol_platform.ingest.dlt_runner import TablePlan
from ol_platform.lake.writer import WriteDisposition

CHANGE = pa.struct([("field", pa.string()), ("change", pa.string()), ("reason", pa.string())])
META = pa.struct([("sync_id", pa.int64()), ("changes", pa.list_(CHANGE))])
AIRBYTE_COLUMNS = (
    "_airbyte_raw_id",
    "_airbyte_extracted_at",
    "_airbyte_meta",
    "_airbyte_generation_id",
)


def _utc(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Application timestamps without a zone are UTC; say so, as Airbyte's typing does."""
    t = column.type
    if pa.types.is_timestamp(t) and t.tz is None:
        return column.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
    return column


def airbyte_shape(data: pa.Table, extracted_at: datetime, sync_id: int) -> pa.Table:
    n = data.num_rows
    for i, name in enumerate(data.column_names):
        data = data.set_column(i, name, _utc(data.column(i)))
    meta = pa.array([{"sync_id": sync_id, "changes": []}] * n, type=META)
    return (
        data.append_column("_airbyte_raw_id", pa.array([str(uuid.uuid4()) for _ in range(n)]))
        .append_column(
            "_airbyte_extracted_at",
            pa.array([extracted_at] * n, type=pa.timestamp("us", tz="UTC")),
        )
        .append_column("_airbyte_meta", meta)
        .append_column("_airbyte_generation_id", pa.array([0] * n, type=pa.int64()))
    )


def airbyte_plan(resource: str, lake_table: str, primary_key: list[str]) -> TablePlan:
    """How an Airbyte-shaped raw table lands: merged on its key (appended without one)."""
    disposition = WriteDisposition.MERGE if primary_key else WriteDisposition.APPEND
    return TablePlan(resource, lake_table, disposition, primary_key, shape=airbyte_shape)
