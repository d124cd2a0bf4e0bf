"""Answers read from Iceberg metadata instead of data files.

Incremental loads ask for the highest cursor value already in the lake on every run; for
numeric, date and timestamp columns the data files' upper bounds answer exactly, so the
question costs a manifest read whatever the table's size.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow.compute as pc
from pyiceberg.conversions import from_bytes
from pyiceberg.table import Table
from pyiceberg.types import (
    DateType,
    IntegerType,
    LongType,
    PrimitiveType,
    TimestampType,
    TimestamptzType,
)

# Bounds of these types are stored whole; string bounds are truncated to 16 characters.
EXACT_BOUND_TYPES = (IntegerType, LongType, DateType, TimestampType, TimestamptzType)
EPOCH = datetime(1970, 1, 1)


def _python_value(field_type: PrimitiveType, value: Any) -> Any:
    if isinstance(field_type, TimestamptzType):
        return (EPOCH + timedelta(microseconds=value)).replace(tzinfo=UTC)
    if isinstance(field_type, TimestampType):
        return EPOCH + timedelta(microseconds=value)
    if isinstance(field_type, DateType):
        return date(1970, 1, 1) + timedelta(days=value)
    return value


def column_max(table: Table, column: str) -> Any:
    """Highest non-null value of ``column`` in the current snapshot, or None."""
    names = {f.name: f for f in table.schema().fields}
    field = names.get(column)
    if field is None or table.current_snapshot() is None:
        return None
    if isinstance(field.field_type, EXACT_BOUND_TYPES):
        best, exact = None, True
        for task in table.scan().plan_files():
            data_file = task.file
            bound = (data_file.upper_bounds or {}).get(field.field_id)
            if bound is None:
                nulls = (data_file.null_value_counts or {}).get(field.field_id)
                if nulls == data_file.record_count:
                    continue  # every value null: nothing to bound
                exact = False
                break
            value = from_bytes(field.field_type, bound)
            best = value if best is None else max(best, value)
        if exact:
            return None if best is None else _python_value(field.field_type, best)
    values = table.scan(selected_fields=(column,)).to_arrow().column(column)
    return pc.max(values).as_py() if len(values) else None
