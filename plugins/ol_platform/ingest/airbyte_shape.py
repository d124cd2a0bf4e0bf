"""Give locally extracted rows the shape Airbyte gives its raw tables.

Airbyte's destinations add ``_airbyte_raw_id`` (varchar), ``_airbyte_extracted_at``
(timestamp), ``_airbyte_meta`` (struct of sync_id and a list of changes) and
``_airbyte_generation_id`` (bigint). Tables fed from the local sample systems carry the same
columns so the dbt staging models read local and production raw tables alike.
"""

from __future__ import annotations

import binascii
import os
from datetime import datetime

import numpy as np
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


def random_uuids(n: int) -> pa.StringArray:
    """``n`` random (version 4) UUID strings, built in bulk: a Python loop costs ~1 s/M rows."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = np.frombuffer(binascii.hexlify(raw.tobytes()), dtype=np.uint8).reshape(n, 32)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, at in _UUID_GROUPS:  # slices copy far faster than a fancy index
        text[:, at : at + stop - start] = hexed[:, start:stop]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text.tobytes()))


# (first hex digit, last + 1, position in the text) of the five groups of 8-4-4-4-12.
_UUID_GROUPS = ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24))


def _constant(value, type_: pa.DataType, n: int) -> pa.Array:
    # A one-element array taken n times: vectorised, where pa.repeat costs ~0.6 s/M rows.
    return pa.array([value], type=type_).take(np.zeros(n, dtype=np.int64))


def airbyte_shape(data: pa.Table, extracted_at: datetime, sync_id: int) -> pa.Table:
    n = data.num_rows
    for i, name in enumerate(data.column_names):
        data = data.set_column(i, name, _utc(data.column(i)))
    return (
        data.append_column("_airbyte_raw_id", random_uuids(n))
        .append_column(
            "_airbyte_extracted_at", _constant(extracted_at, pa.timestamp("us", tz="UTC"), n)
        )
        .append_column("_airbyte_meta", _constant({"sync_id": sync_id, "changes": []}, META, n))
        .append_column("_airbyte_generation_id", _constant(0, pa.int64(), n))
    )


def airbyte_plan(
    resource: str, lake_table: str, primary_key: list[str], cursor: str | None = None
) -> TablePlan:
    """How an Airbyte-shaped raw table lands, as Airbyte's sync modes would land it.

    With a cursor (incremental sync) new versions are appended and the staging models keep
    the newest per key; without one (full refresh) the batch is merged on its key; without a
    key it is appended.
    """
    if primary_key and cursor:
        disposition = WriteDisposition.VERSIONED
    elif primary_key:
        disposition = WriteDisposition.MERGE
    else:
        disposition = WriteDisposition.APPEND
    return TablePlan(
        resource, lake_table, disposition, primary_key, shape=airbyte_shape, cursor=cursor
    )
