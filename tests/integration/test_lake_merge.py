"""The lake plugin's merge of an incremental model's new rows: which rows are new or changed,
and which of the table's rows they replace, in a table whose schema evolved between its data
files (the comparison reads whole rows only from the files that hold a key of the new rows)."""

from __future__ import annotations

import json
import subprocess

from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

# Run in the dbt environment (dbt-duckdb is not in the Airflow one).
MERGE = """
import json, sys
import duckdb
from olp_dbt.lake_plugin import _changed_rows

old, new, untouched, key = sys.argv[1:5]
conn = duckdb.connect()
# The table: an old file from before column c was added, and two newer files.
conn.execute(f"copy (select * from (values (1, 'a'), (2, 'b')) t(id, v)) to '{old}'")
conn.execute(
    f"copy (select * from (values (3, 'c', 'x'), (4, 'd', 'y')) t(id, v, c)) to '{new}'"
)
conn.execute(f"copy (select 9 as id, 'z' as v, 'q' as c) to '{untouched}'")
files = [old, new, untouched]
conn.execute("create schema s")
conn.execute(f"create view s.t as select * from read_parquet({files!r}, union_by_name=true)")
rows = {
    1: (1, "a", None),  # as stored: c is null in the old file's rows
    2: (2, "b", "set"),  # c now set: changed
    3: (3, "c", "x"),  # as stored
    4: (4, "changed", "y"),  # changed
    5: (5, "e", None),  # new
}
result = {}
# Keys of the old file only (the whole-row pass reads that file alone), then of both.
for case, ids in {"old file": [1, 2, 5], "both files": [1, 2, 3, 4, 5]}.items():
    conn.execute("create or replace table s.changes (id integer, v varchar, c varchar)")
    conn.executemany("insert into s.changes values (?, ?, ?)", [rows[i] for i in ids])
    new_rows, deleted = _changed_rows(conn, "s.t", "s.changes", "s.t", files, key)
    result[case] = {"rows": sorted(new_rows.column("id").to_pylist()), "deleted": sorted(deleted)}
print(json.dumps(result))
"""


def merge(tmp_path, key: str = "id") -> subprocess.CompletedProcess:
    python = DBT_EXECUTABLE.with_name("python")
    files = [str(tmp_path / f"{n}.parquet") for n in ("old", "new", "untouched")]
    return subprocess.run(
        [str(python), "-c", MERGE, *files, key],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )


def test_new_and_changed_rows_replace_theirs_and_unchanged_rows_are_dropped(tmp_path):
    done = merge(tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "old file": {"rows": [2, 5], "deleted": [2]},
        "both files": {"rows": [2, 4, 5], "deleted": [2, 4]},
    }


def test_a_unique_key_that_is_no_column_is_named(tmp_path):
    done = merge(tmp_path, key="nope")
    assert done.returncode != 0
    assert "incremental model s.t: unique_key 'nope' is not a column" in done.stderr


# Events keyed by a hash of the event, time included: a key's rows share their time.
BOUNDED = """
import json, sys
import duckdb
from olp_dbt.lake_plugin import _changed_rows

older, newer = sys.argv[1:3]
conn = duckdb.connect()
conn.execute("set TimeZone = 'UTC'")
day = "timestamptz '2025-01-01' + to_days"
for path, ids in ((older, "range(1, 4)"), (newer, "range(4, 6)")):
    rows = f"select i as id, {day}(i) as ts, 'v' || i as v from {ids} t(i)"
    conn.execute(f"copy ({rows}) to '{path}'")
files = [older, newer]
conn.execute("create schema s")
conn.execute(f"create view s.t as select * from read_parquet({files!r}, union_by_name=true)")
cases = {
    "changed, unchanged, new": [(2, 2, "changed"), (5, 5, "v5"), (6, 6, "v6")],
    "a new row without time": [(2, 2, "changed"), (5, 5, "v5"), (7, None, "v7")],
    "a late event": [(1, 1, "late change"), (6, 6, "v6")],
    # Breaks the column's promise (key 1 at another time): shows the search is bounded.
    "a key outside the range": [(1, 6, "moved")],
}
result = {}
for case, rows in cases.items():
    conn.execute("create or replace table s.changes (id integer, ts timestamptz, v varchar)")
    for i, d, v in rows:
        conn.execute(
            f"insert into s.changes select ?, case when ? then null else {day}(?) end, ?",
            [i, d is None, d or 0, v],
        )
    out = {}
    for bound in (None, "ts"):
        new_rows, deleted = _changed_rows(conn, "s.t", "s.changes", "s.t", files, "id", bound)
        ids = sorted(new_rows.column("id").to_pylist())
        out[str(bound)] = {"rows": ids, "deleted": sorted(deleted)}
    result[case] = out
print(json.dumps(result))
"""


def test_a_range_column_bounds_the_key_search_and_finds_what_the_whole_table_would(tmp_path):
    python = DBT_EXECUTABLE.with_name("python")
    files = [str(tmp_path / f"{n}.parquet") for n in ("older", "newer")]
    done = subprocess.run(
        [str(python), "-c", BOUNDED, *files], cwd=DBT_PROJECT_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["changed, unchanged, new"]["ts"] == {"rows": [2, 6], "deleted": [2]}
    assert result["a new row without time"]["ts"] == {"rows": [2, 7], "deleted": [2]}
    assert result["a late event"]["ts"] == {"rows": [1, 6], "deleted": [1]}
    for case in ("changed, unchanged, new", "a new row without time", "a late event"):
        assert result[case]["ts"] == result[case]["None"], case
    # Only the rows of the new rows' time range are searched for their keys.
    assert result["a key outside the range"] == {
        "None": {"rows": [1], "deleted": [1]},
        "ts": {"rows": [1], "deleted": []},
    }


def test_a_range_column_that_is_no_column_is_named(tmp_path):
    python = DBT_EXECUTABLE.with_name("python")
    script = BOUNDED.replace('"id", bound)', '"id", bound and "nope")')
    files = [str(tmp_path / f"{n}.parquet") for n in ("older", "newer")]
    done = subprocess.run(
        [str(python), "-c", script, *files], cwd=DBT_PROJECT_DIR, capture_output=True, text=True
    )
    assert "incremental model s.t: merge_range_column 'nope' is not a column" in done.stderr


# The plugin's whole merge into an Iceberg table: rows in the table's columns, then rows with
# a column the table does not have yet.
EVOLVE = """
import json, sys
from types import SimpleNamespace
import duckdb, pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from olp_dbt.lake_plugin import Plugin

lake = sys.argv[1]
catalog = SqlCatalog("olp", uri=f"sqlite:///{lake}/catalog.db", warehouse=f"file://{lake}")
catalog.create_namespace("s")
table = catalog.create_table("s.t", schema=pa.schema([("id", pa.int32()), ("v", pa.string())]))
table.append(pa.table({"id": pa.array([1, 2], pa.int32()), "v": ["a", "b"]}))
plugin = Plugin.__new__(Plugin)
plugin.initialize({"namespace_prefix": "s"})
plugin._catalog = catalog
conn = duckdb.connect()
plugin.configure_connection(conn)
plugin._conn = conn
target = SimpleNamespace(
    relation=SimpleNamespace(schema="s", identifier="t"),
    location=SimpleNamespace(path="changes"),
    config={"unique_key": "id"},
)
out = {}
for case, sql in {
    "same columns": "select * from (values (2, 'B'), (3, 'c')) v(id, v)",
    "a new column": "select * from (values (3, 'c', 'x'), (4, 'd', 'y')) v(id, v, w)",
}.items():
    conn.execute(f"create or replace table s.changes as {sql}")
    plugin.merge(target, "merge")
    table = catalog.load_table("s.t")
    rows = table.scan().to_arrow().sort_by("id")
    out[case] = {
        "columns": [f.name for f in table.schema().fields],
        "rows": [list(r.values()) for r in rows.to_pylist()],
        "view": conn.execute("select count(*) from s.t").fetchone()[0],
    }
print(json.dumps(out))
"""


def test_a_merge_adds_a_new_column_and_keeps_the_schema_otherwise(tmp_path):
    python = DBT_EXECUTABLE.with_name("python")
    done = subprocess.run(
        [str(python), "-c", EVOLVE, str(tmp_path)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["same columns"] == {
        "columns": ["id", "v"],
        "rows": [[1, "a"], [2, "B"], [3, "c"]],
        "view": 3,
    }
    # Key 3 changed (its new column is set): replaced; key 4 is new; older rows have no w.
    assert result["a new column"] == {
        "columns": ["id", "v", "w"],
        "rows": [[1, "a", None], [2, "B", None], [3, "c", "x"], [4, "d", "y"]],
        "view": 4,
    }
