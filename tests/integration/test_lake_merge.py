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
