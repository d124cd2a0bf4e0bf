"""Transactional commits to Iceberg: merge, replace, schema evolution, nothing half-written."""

from __future__ import annotations

import pyarrow as pa
import pytest

from ol_platform.lake import writer
from ol_platform.lake.writer import WriteDisposition, commit

TABLE = "ol_warehouse_local_raw.raw__test__api__things"


def rows(catalog) -> list[dict]:
    return sorted(catalog.load_table(TABLE).scan().to_arrow().to_pylist(), key=lambda r: r["id"])


def test_merge_updates_existing_keys_and_inserts_new_ones(catalog):
    commit(
        catalog,
        TABLE,
        pa.table({"id": [1, 2], "v": ["a", "b"]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    result = commit(
        catalog,
        TABLE,
        pa.table({"id": [2, 3], "v": ["B", "c"]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    assert rows(catalog) == [{"id": 1, "v": "a"}, {"id": 2, "v": "B"}, {"id": 3, "v": "c"}]
    assert result.total_rows == 3


def test_merge_keeps_the_last_row_of_a_key_repeated_in_one_batch(catalog):
    batch = pa.table({"id": [1, 1, 2], "v": ["old", "new", "x"]})
    commit(catalog, TABLE, batch, disposition=WriteDisposition.MERGE, primary_key=["id"])
    assert rows(catalog) == [{"id": 1, "v": "new"}, {"id": 2, "v": "x"}]


def test_merge_on_a_composite_key(catalog):
    first = pa.table({"id": [1, 1], "k": ["x", "y"], "v": [1, 2]})
    commit(catalog, TABLE, first, disposition=WriteDisposition.MERGE, primary_key=["id", "k"])
    commit(
        catalog,
        TABLE,
        pa.table({"id": [1], "k": ["y"], "v": [20]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id", "k"],
    )
    got = sorted(catalog.load_table(TABLE).scan().to_arrow().to_pylist(), key=lambda r: r["k"])
    assert got == [{"id": 1, "k": "x", "v": 1}, {"id": 1, "k": "y", "v": 20}]


def test_rerun_of_the_same_batch_does_not_duplicate(catalog):
    batch = pa.table({"id": [1, 2, 3], "v": ["a", "b", "c"]})
    for _ in range(3):
        commit(catalog, TABLE, batch, disposition=WriteDisposition.MERGE, primary_key=["id"])
    assert [r["id"] for r in rows(catalog)] == [1, 2, 3]


def test_replace_swaps_the_whole_table(catalog):
    commit(
        catalog,
        TABLE,
        pa.table({"id": [1, 2], "v": ["a", "b"]}),
        disposition=WriteDisposition.REPLACE,
    )
    commit(
        catalog,
        TABLE,
        pa.table({"id": [7], "v": ["z"]}),
        disposition=WriteDisposition.REPLACE,
        min_replace_ratio=0.0,  # a deliberate shrink
    )
    assert rows(catalog) == [{"id": 7, "v": "z"}]


def test_a_new_source_column_evolves_the_schema(catalog):
    commit(
        catalog,
        TABLE,
        pa.table({"id": [1], "v": ["a"]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    commit(
        catalog,
        TABLE,
        pa.table({"id": [2], "v": ["b"], "extra": [3.5]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    assert rows(catalog) == [{"id": 1, "v": "a", "extra": None}, {"id": 2, "v": "b", "extra": 3.5}]


def test_a_failed_commit_leaves_the_table_untouched(catalog, monkeypatch):
    commit(
        catalog,
        TABLE,
        pa.table({"id": [1, 2], "v": ["a", "b"]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    snapshot = catalog.load_table(TABLE).current_snapshot().snapshot_id

    def explode(self, *args, **kwargs):
        raise OSError("disk full while writing data files")

    monkeypatch.setattr("pyiceberg.table.Transaction.append", explode)
    with pytest.raises(OSError, match="disk full"):
        commit(
            catalog,
            TABLE,
            pa.table({"id": [2, 3], "v": ["B", "c"], "new_col": [1, 2]}),
            disposition=WriteDisposition.MERGE,
            primary_key=["id"],
        )
    table = catalog.load_table(TABLE)
    assert table.current_snapshot().snapshot_id == snapshot
    assert "new_col" not in table.schema().column_names, "schema change must roll back too"
    assert rows(catalog) == [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]


def test_merge_needs_its_key_columns(catalog):
    with pytest.raises(ValueError, match=r"primary key column\(s\) \['id'\]"):
        commit(
            catalog,
            TABLE,
            pa.table({"v": ["a"]}),
            disposition=WriteDisposition.MERGE,
            primary_key=["id"],
        )


def test_deduplicate_keeps_order_of_last_occurrence():
    data = pa.table({"id": [3, 1, 3, 2], "v": [1, 2, 3, 4]})
    assert writer.deduplicate(data, ["id"]).to_pylist() == [
        {"id": 1, "v": 2},
        {"id": 3, "v": 3},
        {"id": 2, "v": 4},
    ]


def test_a_replace_that_would_shrink_the_table_below_80_percent_is_refused(catalog):
    from ol_platform.lake.writer import LoadRefusedError

    commit(catalog, TABLE, pa.table({"id": list(range(100))}), disposition=WriteDisposition.REPLACE)
    snapshot = catalog.load_table(TABLE).current_snapshot().snapshot_id
    with pytest.raises(LoadRefusedError, match=r"79 rows, below 80% of the 100 rows"):
        commit(
            catalog, TABLE, pa.table({"id": list(range(79))}), disposition=WriteDisposition.REPLACE
        )
    assert catalog.load_table(TABLE).current_snapshot().snapshot_id == snapshot
    commit(catalog, TABLE, pa.table({"id": list(range(80))}), disposition=WriteDisposition.REPLACE)
    assert catalog.load_table(TABLE).scan().to_arrow().num_rows == 80


def test_frozen_types_refuse_a_type_flip_naming_the_column_and_write_nothing(catalog):
    from ol_platform.lake.writer import LoadRefusedError

    first = pa.table({"id": [1], "score": [10]})
    commit(
        catalog,
        TABLE,
        first,
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
        freeze_types=True,
    )
    snapshot = catalog.load_table(TABLE).current_snapshot().snapshot_id
    flipped = pa.table({"id": [2], "score": ["ten"]})
    with pytest.raises(LoadRefusedError, match="column 'score' changed type from int64 to string"):
        commit(
            catalog,
            TABLE,
            flipped,
            disposition=WriteDisposition.MERGE,
            primary_key=["id"],
            freeze_types=True,
        )
    assert catalog.load_table(TABLE).current_snapshot().snapshot_id == snapshot
    # A new column is not a flip: it evolves the schema.
    grown = pa.table({"id": [2], "score": [20], "note": ["new"]})
    commit(
        catalog,
        TABLE,
        grown,
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
        freeze_types=True,
    )
    assert "note" in catalog.load_table(TABLE).schema().column_names


def test_parallel_loads_racing_to_create_a_namespace_all_succeed(settings):
    """Each worker has its own catalog connection, as parallel tasks do; without the guard
    the SQL catalog's check-then-insert lets some of them fail with IntegrityError."""
    from concurrent.futures import ThreadPoolExecutor

    from ol_platform.lake.catalog import ensure_namespace, get_catalog

    get_catalog(settings)  # create the catalog tables once

    def create(i: int) -> None:
        ensure_namespace(get_catalog(settings), f"ol_warehouse_local_racy_{i % 2}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(32)))
    namespaces = get_catalog(settings).list_namespaces()
    assert {("ol_warehouse_local_racy_0",), ("ol_warehouse_local_racy_1",)} <= set(namespaces)


def _ts(day: int):
    from datetime import UTC, datetime

    return datetime(2026, 1, day, tzinfo=UTC)


def _versions(ids, days, vs):
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "updated_on": pa.array([_ts(d) for d in days], pa.timestamp("us", tz="UTC")),
            "v": vs,
        }
    )


def _versioned(catalog, data):
    return commit(
        catalog,
        TABLE,
        data,
        disposition=WriteDisposition.VERSIONED,
        primary_key=["id"],
        cursor="updated_on",
    )


def test_versioned_load_appends_new_versions_and_skips_the_boundary_rows_it_has(catalog):
    first = _versioned(catalog, _versions([1, 2, 3], [1, 2, 2], ["a", "b", "c"]))
    assert (first.rows_in_batch, first.rows_written, first.total_rows) == (3, 3, 3)
    # An incremental extract re-reads the rows on the cursor boundary (day 2) plus changes.
    second = _versioned(catalog, _versions([2, 3, 1, 4], [2, 2, 3, 3], ["b", "c", "A", "d"]))
    assert (second.rows_in_batch, second.rows_written, second.total_rows) == (4, 2, 5)
    got = catalog.load_table(TABLE).scan().to_arrow()
    latest = {}
    for row in sorted(got.to_pylist(), key=lambda r: r["updated_on"]):
        latest[row["id"]] = row["v"]
    assert latest == {1: "A", 2: "b", 3: "c", 4: "d"}
    # A rerun of the same extract writes nothing at all.
    again = _versioned(catalog, _versions([2, 3, 1, 4], [2, 2, 3, 3], ["b", "c", "A", "d"]))
    assert (again.rows_written, again.total_rows) == (0, 5)


def test_versioned_load_streams_a_record_batch_reader_in_one_snapshot(catalog):
    data = _versions(list(range(1000)), [1 + i % 5 for i in range(1000)], ["x"] * 1000)
    _versioned(catalog, data.slice(0, 10))
    before = len(catalog.load_table(TABLE).snapshots())
    reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=100))
    result = _versioned(catalog, reader)
    table = catalog.load_table(TABLE)
    assert len(table.snapshots()) == before + 1
    assert (result.rows_in_batch, result.rows_written, result.total_rows) == (1000, 990, 1000)


def test_versioned_load_needs_a_cursor(catalog):
    with pytest.raises(ValueError, match="needs a cursor column"):
        commit(
            catalog,
            TABLE,
            _versions([1], [1], ["a"]),
            disposition=WriteDisposition.VERSIONED,
            primary_key=["id"],
        )


def test_column_max_comes_from_file_statistics(catalog, monkeypatch):
    from ol_platform.lake.stats import column_max

    _versioned(catalog, _versions([1, 2], [4, 9], ["a", "b"]))
    _versioned(catalog, _versions([3], [7], ["c"]))
    table = catalog.load_table(TABLE)
    # No data file may be read for a timestamp column: the bounds answer exactly.
    monkeypatch.setattr(type(table.scan()), "to_arrow", lambda self: pytest.fail("read data"))
    assert column_max(table, "updated_on") == _ts(9)
    assert column_max(table, "missing") is None
