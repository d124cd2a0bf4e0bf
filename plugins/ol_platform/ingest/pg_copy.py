"""Stream a PostgreSQL table out as Arrow record batches through ``COPY ... TO STDOUT``.

COPY is the fastest way out of PostgreSQL: the server formats rows in C and the Arrow CSV
reader parses them in C, in parallel, with no Python object per value. Rows flow through a
pipe in blocks, so memory is bounded by a block, not by the table.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

BLOCK_BYTES = 8 << 20  # ~50k rows of a typical app table per record batch


@dataclass(frozen=True)
class CopyColumn:
    name: str
    select: str  # the SQL expression COPY reads
    arrow_type: pa.DataType
    utc: bool = False  # a timestamptz read as UTC wall time, to be marked UTC after parsing


COLUMNS_SQL = """
SELECT column_name, data_type, numeric_precision, numeric_scale
FROM information_schema.columns
WHERE table_name = %(table)s AND table_schema = coalesce(%(schema)s, current_schema())
ORDER BY ordinal_position
"""


def _column(name: str, data_type: str, precision: int | None, scale: int | None, quote):
    ident = quote(name)
    if data_type == "boolean":
        return CopyColumn(name, ident, pa.bool_())
    if data_type in ("smallint", "integer", "bigint"):
        return CopyColumn(name, ident, pa.int64())
    if data_type in ("real", "double precision"):
        return CopyColumn(name, ident, pa.float64())
    if data_type == "numeric":
        if precision and precision <= 38:
            return CopyColumn(name, ident, pa.decimal128(precision, scale or 0))
        return CopyColumn(name, ident, pa.float64())
    if data_type == "timestamp with time zone":
        return CopyColumn(name, f"({ident} AT TIME ZONE 'UTC')", pa.timestamp("us"), utc=True)
    if data_type == "timestamp without time zone":
        return CopyColumn(name, ident, pa.timestamp("us"))
    if data_type == "date":
        return CopyColumn(name, ident, pa.date32())
    # text, varchar, json(b), uuid, enums, arrays, intervals: their text form, as Airbyte keeps.
    return CopyColumn(name, f"{ident}::text", pa.string())


def describe(engine: sa.Engine, table: str, schema: str | None = None) -> list[CopyColumn]:
    """The table's columns and the Arrow type each is read as: one catalog query (SQLAlchemy's
    reflection runs several, a fixed cost every incremental run would pay)."""
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(COLUMNS_SQL, {"table": table, "schema": schema}).all()
    if not rows:
        where = f"schema {schema!r}" if schema else "the current schema"
        raise sa.exc.NoSuchTableError(f"table {table!r} not found in {where}")
    return [_column(*row, quote) for row in rows]


def copy_sql(
    engine: sa.Engine,
    table: str,
    columns: list[CopyColumn],
    *,
    cursor: str | None = None,
    since: datetime | int | None = None,
    schema: str | None = None,
) -> tuple[str, dict]:
    quote = engine.dialect.identifier_preparer.quote
    target = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    select = ", ".join(c.select for c in columns)
    query = f"SELECT {select} FROM {target}"
    params = {}
    if cursor and since is not None:
        # >=, not >: more rows may arrive later with the same cursor value; the lake writer
        # drops the boundary rows it already holds.
        query += f" WHERE {quote(cursor)} >= %(since)s"
        params["since"] = since
    return f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params


def copy_batches(
    engine: sa.Engine,
    table: str,
    *,
    cursor: str | None = None,
    since: datetime | int | None = None,
    schema: str | None = None,
) -> pa.RecordBatchReader:
    """The rows of ``table`` (those with ``cursor >= since`` if given) as a batch reader."""
    columns = describe(engine, table, schema)
    statement, params = copy_sql(engine, table, columns, cursor=cursor, since=since, schema=schema)
    arrow_schema = pa.schema(
        [pa.field(c.name, pa.timestamp("us", tz="UTC") if c.utc else c.arrow_type) for c in columns]
    )
    return pa.RecordBatchReader.from_batches(
        arrow_schema, _stream(engine, statement, params, columns, arrow_schema)
    )


def _stream(
    engine: sa.Engine, statement: str, params: dict, columns: list[CopyColumn], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    raw = engine.raw_connection()
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with raw.cursor() as cur, os.fdopen(write_fd, "wb") as sink:
                cur.copy_expert(cur.mogrify(statement, params).decode(), sink)
        except BaseException as exc:  # surfaced to the consumer below
            failure.append(exc)

    producer = threading.Thread(target=produce, name="pg-copy", daemon=True)
    producer.start()
    source = os.fdopen(read_fd, "rb")
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=[c.name for c in columns], block_size=BLOCK_BYTES
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c.name: c.arrow_type for c in columns},
                # COPY's CSV writes NULL unquoted and the empty string as "".
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
        for batch in reader:
            yield pa.RecordBatch.from_arrays(
                [col.cast(field.type) for col, field in zip(batch.columns, schema, strict=True)],
                schema=schema,
            )
    except pa.ArrowInvalid as exc:
        if failure:  # the COPY itself failed; its error is the one worth reporting
            raise failure[0] from None
        if "Empty CSV file" not in str(exc):
            raise
        # No row matched: an empty load, not an error.
    finally:
        source.close()  # a consumer that stops early unblocks the producer (EPIPE)
        producer.join()
        raw.close()
    if failure:
        raise failure[0]
