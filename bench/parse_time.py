"""DAG parse time, measured the way Airflow's DAG processor parses: a fresh process per parse,
with Airflow already imported (the processor pre-imports it), timing only the DAG file.

Prints, for each file of dags/, the median of N parses; then the transform DAG rendered a
task per model (``OLP_DBT_RENDER=watcher``, where Cosmos's load mode matters: the shipped
``models`` render reads the manifest itself) from the dbt manifest (LoadMode.DBT_MANIFEST,
what ships) against LoadMode.DBT_LS (Cosmos's cache off, so each parse runs `dbt ls`), and
from the manifest at this project's size against a 250-model project, with ratios measured
in this run.

Needs the dbt environment and manifest (``make build``; ``make bench`` builds them first).

    uv run python bench/parse_time.py [--repeat 5] [--models 250]
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
sys.path.insert(0, str(ROOT / "bench"))
from transform import synthetic_project  # noqa: E402  (the 250-model project, shared)

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
dag = build_transform_dag(get_settings(), load_method={mode!r}, render="watcher")
print(json.dumps({{"seconds": time.perf_counter() - t, "tasks": len(dag.tasks)}}))
"""


def measure(code: str, repeat: int, **extra_env: str) -> tuple[float, dict]:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(ROOT / ".olp" / "bench-airflow"),
        "AIRFLOW__COSMOS__ENABLE_CACHE": "False",
        "OLP_HOME": str(ROOT / ".olp" / "bench"),
        **extra_env,
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--models", type=int, default=250, help="size of the larger project")
    args = parser.parse_args()

    print(f"DAG file parse time (median of {args.repeat} fresh processes)")
    for path in sorted((ROOT / "dags").glob("*.py")):
        median, _ = measure(PARSE_FILE.format(path=str(path)), args.repeat)
        print(f"  {path.name:<22} {median:7.3f} s")

    manifest, info = measure(PARSE_TRANSFORM.format(mode="dbt_manifest"), args.repeat)
    dbt_ls, ls_info = measure(PARSE_TRANSFORM.format(mode="dbt_ls"), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        models = synthetic_project(args.models, Path(tmp))
        large, large_info = measure(
            PARSE_TRANSFORM.format(mode="dbt_manifest"), args.repeat, OLP_DBT_PROJECT_DIR=tmp
        )
    print(f"\nTransform DAG, a task per model (watcher render), median of {args.repeat}")
    print(f"  {'project':<22} {'load mode':<14} {'tasks':>6} {'seconds':>8}")
    print(f"  {'this one':<22} {'DBT_MANIFEST':<14} {info['tasks']:>6} {manifest:>8.3f}")
    print(f"  {'this one':<22} {'DBT_LS':<14} {ls_info['tasks']:>6} {dbt_ls:>8.3f}")
    print(f"  {f'{models} models':<22} {'DBT_MANIFEST':<14} {large_info['tasks']:>6} {large:>8.3f}")
    print(f"  DBT_LS / DBT_MANIFEST, this project:        {dbt_ls / manifest:6.1f}x")
    print(f"  {models} models / this project (manifest):   {large / manifest:6.1f}x")


if __name__ == "__main__":
    main()
