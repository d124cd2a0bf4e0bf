"""DAG parse time, measured the way Airflow's DAG processor parses: a fresh process per parse,
with Airflow already imported (the processor pre-imports it), timing only the DAG file.

Prints, for each file of dags/, the median of N parses, and the transform DAG rendered from
the dbt manifest (LoadMode.DBT_MANIFEST, what ships) against the same project rendered with
LoadMode.DBT_LS (Cosmos's cache off, so each parse runs `dbt ls`), as a ratio in this run.

    uv run python bench/parse_time.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARSE_FILE = """
import json, runpy, time
import airflow, airflow.sdk  # pre-imported by the DAG processor; not part of the file's cost
t = time.perf_counter()
runpy.run_path({path!r})
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""

PARSE_TRANSFORM = """
import json, time
import airflow, airflow.sdk
t = time.perf_counter()
from ol_platform.orchestration.transform_dag import build_transform_dag
from ol_platform.settings import get_settings
dag = build_transform_dag(get_settings(), load_method={mode!r})
print(json.dumps({{"seconds": time.perf_counter() - t, "tasks": len(dag.tasks)}}))
"""


def measure(code: str, repeat: int) -> tuple[float, dict]:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(ROOT / ".olp" / "bench-airflow"),
        "AIRFLOW__COSMOS__ENABLE_CACHE": "False",
        "OLP_HOME": str(ROOT / ".olp" / "bench"),
    }
    samples, last = [], {}
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        last = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(last["seconds"])
    return statistics.median(samples), last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print(f"DAG file parse time (median of {args.repeat} fresh processes)")
    for path in sorted((ROOT / "dags").glob("*.py")):
        median, _ = measure(PARSE_FILE.format(path=str(path)), args.repeat)
        print(f"  {path.name:<16} {median:7.3f} s")

    manifest, info = measure(PARSE_TRANSFORM.format(mode="dbt_manifest"), args.repeat)
    dbt_ls, _ = measure(PARSE_TRANSFORM.format(mode="dbt_ls"), args.repeat)
    print(f"\nTransform DAG ({info['tasks']} tasks), median of {args.repeat}")
    print(f"  LoadMode.DBT_MANIFEST {manifest:7.3f} s")
    print(f"  LoadMode.DBT_LS       {dbt_ls:7.3f} s")
    print(f"  DBT_LS / DBT_MANIFEST {dbt_ls / manifest:7.1f}x")


if __name__ == "__main__":
    main()
