"""COPY → Arrow on real PostgreSQL: values arrive exactly as stored, in bounded batches."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ol_platform.ingest import pg_copy

ROWS = """
insert into t values
  (1, '', '2024-01-01T00:00:00+05', true, 1.50, '{"a": "x,y"}', 'plain'),
  (2, null, null, null, null, null, null),
  (3, 'two
lines "quoted", comma', '2024-06-30 23:59:59.123456+00', false, -0.01, '[]', 'x')
"""


@pytest.fixture
def engine(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "create table t (id bigint primary key, s text, ts timestamptz, b boolean, "
                "n numeric(5, 2), j jsonb, v varchar(20))"
            )
        )
    yield engine
    engine.dispose()


def test_types_nulls_empty_strings_and_multiline_text_survive_the_copy(engine):
    with engine.begin() as conn:
        conn.execute(sa.text(ROWS))
    table = pg_copy.copy_batches(engine, "t").read_all()
    assert str(table.schema.field("ts").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("n").type) == "decimal128(5, 2)"
    rows = {r["id"]: r for r in table.to_pylist()}
    assert rows[1]["s"] == "" and rows[2]["s"] is None, "empty string and NULL stay distinct"
    assert rows[1]["ts"] == datetime(2023, 12, 31, 19, tzinfo=UTC)
    assert rows[3]["ts"] == datetime(2024, 6, 30, 23, 59, 59, 123456, tzinfo=UTC)
    assert rows[3]["s"] == 'two\nlines "quoted", comma'
    assert (rows[1]["b"], rows[3]["b"], rows[2]["b"]) == (True, False, None)
    assert rows[3]["n"] == Decimal("-0.01") and rows[1]["j"] == '{"a": "x,y"}'


def test_cursor_filter_is_inclusive_and_an_empty_result_is_an_empty_reader(engine):
    with engine.begin() as conn:
        conn.execute(sa.text(ROWS))
    assert pg_copy.copy_batches(engine, "t", cursor="id", since=3).read_all()["id"].to_pylist() == [
        3
    ]
    assert pg_copy.copy_batches(engine, "t", cursor="id", since=99).read_all().num_rows == 0


def test_large_tables_arrive_in_several_batches(engine, monkeypatch):
    monkeypatch.setattr(pg_copy, "BLOCK_BYTES", 64 << 10)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into t (id, s) select g, repeat('x', 50) from generate_series(1, 20000) g"
            )
        )
    batches = list(pg_copy.copy_batches(engine, "t"))
    assert len(batches) > 5
    assert sum(b.num_rows for b in batches) == 20000


def test_a_missing_table_is_a_clear_error(engine):
    with pytest.raises(sa.exc.NoSuchTableError, match="nope"):
        pg_copy.copy_batches(engine, "nope")
