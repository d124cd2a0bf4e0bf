"""What opening one dbt connection over the lake costs: every lake table becomes a DuckDB view
over its current data files, in every dbt process (each `dbt build`, each Cosmos task).

Side by side on the same lake, ``--runs`` times each, a fresh dbt-environment process opening
one connection the way dbt-duckdb does:

- ``cold``: no table's data-file list is kept (the kept lists are removed first), so every
  table's metadata, manifest list and manifests are read and planned: what every connection
  cost before the lists were kept;
- ``warm``: nothing changed since the last connection, so every list is reused.

Printed: medians of the connection time (the process's start-up excluded) and warm / cold.

    uv run python bench/lake_connection.py [--home DIR] [--runs 5]

``--home`` reuses the lake of a state folder (`olp seed` or `make demo` left it); without it
every source's sample data is seeded into a temporary folder first (minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

CONNECT = """
import json, time
import duckdb
from olp_dbt.lake_plugin import Plugin

plugin = Plugin.__new__(Plugin)
plugin.initialize({"namespace_prefix": "ol_warehouse_local_"})
conn = duckdb.connect()
started = time.perf_counter()
plugin.configure_connection(conn)
seconds = time.perf_counter() - started
tables = conn.execute("select count(*) from information_schema.tables").fetchone()[0]
print(json.dumps({"seconds": seconds, "tables": tables}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="a state folder whose lake to use")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from ol_platform.lake.catalog import catalog_env
    from ol_platform.samples.systems import seed_lake
    from ol_platform.settings import Settings
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    home = args.home or Path(tempfile.mkdtemp(prefix="olp-bench-lake-connection-"))
    settings = Settings(env="local", home=home)
    if args.home is None:
        failed = [r.error for r in seed_lake(settings, load_registry()) if r.error]
        if failed:
            raise SystemExit("\n".join(failed))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYICEBERG_CATALOG__")}
    env.update(catalog_env(settings))
    warehouse = Path(env["PYICEBERG_CATALOG__OLP__WAREHOUSE"].removeprefix("file://"))

    def connect() -> dict:
        done = subprocess.run(
            [str(DBT_EXECUTABLE.with_name("python")), "-c", CONNECT],
            cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(done.stdout)

    timings: dict[str, list[float]] = {"cold": [], "warm": []}
    tables = 0
    for _ in range(args.runs):
        for kept in warehouse.rglob("*.olp-files.json"):
            kept.unlink()
        cold = connect()
        warm = connect()
        tables = cold["tables"]
        timings["cold"].append(cold["seconds"])
        timings["warm"].append(warm["seconds"])
        print(f"cold {cold['seconds']:.2f} s, warm {warm['seconds']:.2f} s", flush=True)
    cold, warm = (statistics.median(timings[k]) for k in ("cold", "warm"))
    print(
        f"\none dbt connection over {tables} lake tables, median of {args.runs}: "
        f"cold {cold:.2f} s, warm {warm:.2f} s, warm / cold {warm / cold:.1%}"
    )


if __name__ == "__main__":
    main()
