"""The dbt-duckdb lake plugin: each dbt connection sees every lake table at its current snapshot,
and a table that has not changed since the last connection costs no planning of its files."""

from __future__ import annotations

import json
import os
import subprocess

import pyarrow as pa

from ol_platform.lake.catalog import catalog_env, ensure_namespace
from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

# Run in the dbt environment (dbt-duckdb is not in the Airflow one): open one connection the
# way dbt does, and report what every lake table holds and how many tables were planned.
CONNECT = """
import json, sys
import duckdb
import pyiceberg.table
from olp_dbt.lake_plugin import Plugin

planned = []
original = pyiceberg.table.DataScan.plan_files
def counting(self):
    planned.append(1)
    return original(self)
pyiceberg.table.DataScan.plan_files = counting

plugin = Plugin.__new__(Plugin)
plugin.initialize({"namespace_prefix": "ol_warehouse_local_"})
conn = duckdb.connect()
plugin.configure_connection(conn)
tables = conn.execute(
    "select table_schema || '.' || table_name from information_schema.tables order by 1"
).fetchall()
rows = {t: conn.execute(f"select sum(id), count(*) from {t}").fetchone() for (t,) in tables}
print(json.dumps({"planned": len(planned), "rows": rows}))
"""


def in_dbt_env(script: str, settings) -> subprocess.CompletedProcess:
    """Run ``script`` with the dbt environment's Python, over the test's lake."""
    return subprocess.run(
        [str(DBT_EXECUTABLE.with_name("python")), "-c", script],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **catalog_env(settings)},
        capture_output=True,
        text=True,
    )


def connect(settings) -> dict:
    done = in_dbt_env(CONNECT, settings)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_each_connection_sees_the_current_snapshot_and_replans_only_changed_tables(
    settings, catalog
):
    raw, staging = "ol_warehouse_local_raw", "ol_warehouse_local_staging"
    for namespace in (raw, staging, "elsewhere"):
        ensure_namespace(catalog, namespace)
    schema = pa.schema([pa.field("id", pa.int64())])
    things = catalog.create_table(f"{raw}.raw__x__api__things", schema)
    things.append(pa.table({"id": [1, 2, 3]}, schema=schema))
    others = catalog.create_table(f"{staging}.stg__x__others", schema)
    others.append(pa.table({"id": [10]}, schema=schema))
    catalog.create_table(f"{raw}.raw__x__api__empty", schema)
    catalog.create_table("elsewhere.raw__x__api__ignored", schema)

    first = connect(settings)
    assert first["rows"] == {
        f"{raw}.raw__x__api__empty": [None, 0],
        f"{raw}.raw__x__api__things": [6, 3],
        f"{staging}.stg__x__others": [10, 1],
    }
    assert first["planned"] == 3

    again = connect(settings)
    assert again["rows"] == first["rows"]
    assert again["planned"] == 0  # nothing changed: every file list is reused

    things.append(pa.table({"id": [4]}, schema=schema))  # a new snapshot of one table
    with things.transaction() as tx:  # ... and an overwrite, which drops the older files
        tx.overwrite(pa.table({"id": [5, 6]}, schema=schema))
    others.refresh().append(pa.table({"id": [20]}, schema=schema))
    after = connect(settings)
    assert after["rows"] == {
        f"{raw}.raw__x__api__empty": [None, 0],
        f"{raw}.raw__x__api__things": [11, 2],
        f"{staging}.stg__x__others": [30, 2],
    }
    assert after["planned"] == 2


# A model's table written four times by the plugin's ``store`` (as the ``iceberg_table``
# materialization does): a first build with no rows, two rebuilds, one more with no rows; any
# warning fails the script.
STORE = """
import json, warnings
import duckdb
from dbt.adapters.duckdb.relation import DuckDBRelation
from dbt.adapters.duckdb.utils import TargetConfig
from olp_dbt.lake_plugin import Plugin

warnings.simplefilter("error")
plugin = Plugin.__new__(Plugin)
plugin.initialize({"namespace_prefix": "ol_warehouse_local_"})
conn = duckdb.connect()
plugin.configure_connection(conn)
conn.execute("create schema if not exists ol_warehouse_local_marts")
relation = DuckDBRelation.create(schema="ol_warehouse_local_marts", identifier="m")
target = TargetConfig(relation=relation, column_list=[], config={})
seen = []
for ids in ([], [1, 2], [3], []):
    conn.execute(
        "create or replace table ol_warehouse_local_marts.m as "
        f"select unnest({ids}::bigint[]) as id"
    )
    plugin.store(target)
    table = plugin.catalog.load_table(("ol_warehouse_local_marts", "m"))
    seen.append(sorted(table.scan().to_arrow()["id"].to_pylist()))
print(json.dumps(seen))
"""


def test_a_models_table_is_replaced_by_each_build_without_warnings(settings, catalog):
    done = in_dbt_env(STORE, settings)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[], [1, 2], [3], []]
