"""The ingest DAGs' staging builds, by plain ``dbt`` and through the warm dbt server.

The sample lake is seeded; then, for each source with staging models, the ``stage`` step's
``dbt build`` of them (``--indirect-selection cautious``, as the ingest DAG runs it) is run
``--repeat`` times by plain ``dbt`` and by ``olp-dbt`` through a warm dbt server
(``olp_dbt.warm``), in turn, on the same lake. Printed: the median wall time of one build per
way, their ratio, and the sum over the sources of each source's median (a demo's staging
work).

    uv run python bench/warm_dbt.py [--repeat 3] [--sources mailgun,xpro_app]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sources", default="", help="comma-separated; default: every source")
    args = parser.parse_args()

    from ol_platform.lake.catalog import catalog_env
    from ol_platform.samples.systems import seed_lake
    from ol_platform.settings import Settings
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform.project import (
        DBT_BIN,
        DBT_EXECUTABLE,
        DBT_PROJECT_DIR,
        load_graph,
    )
    from ol_platform.transform.warm_dbt import warm_dbt_server

    home = Path(tempfile.mkdtemp(prefix="olp-bench-warm-"))
    os.environ.update(OLP_HOME=str(home), OLP_ENV="local")
    settings = Settings(env="local", home=home)
    registry = load_registry()
    failed = [r.error for r in seed_lake(settings, registry) if r.error]
    if failed:
        raise SystemExit("\n".join(failed))
    graph = load_graph()
    wanted = [s for s in args.sources.split(",") if s]
    stages = {
        name: models
        for name, source in registry.sources.items()
        if (not wanted or name in wanted)
        and (models := graph.staging_models_of(source.raw_table_names()))
    }
    sock = home / "dbt.sock"
    env = {
        **os.environ,
        "DBT_TARGET": "duckdb",
        "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
        "OLP_DBT_SERVER": str(sock),
        **catalog_env(settings),
    }
    with warm_dbt_server(sock, home / "dbt-server.log", env=env):
        executables = {"plain": str(DBT_EXECUTABLE), "warm": str(DBT_BIN / "olp-dbt")}

        def build(how: str, models: list[str]) -> float:
            started = time.perf_counter()
            done = subprocess.run(
                [executables[how], "build", "--indirect-selection", "cautious", "--select",
                 *models, "--profiles-dir", ".", "--profile", "ol_dbt", "--target", "duckdb",
                 "--target-path", str(home / "target")],
                cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode:
                sys.exit(f"{how} dbt build of {models} failed:\n{done.stdout[-3000:]}")
            return time.perf_counter() - started

        build("plain", [m for models in stages.values() for m in models])  # parse once
        times: dict[str, dict[str, list[float]]] = {"plain": {}, "warm": {}}
        for _ in range(args.repeat):
            for name, models in stages.items():
                for how in times:
                    times[how].setdefault(name, []).append(build(how, models))
    print(f"\nstaging builds of {len(stages)} sources, {args.repeat} times each way (medians)")
    print(f"  {'source':28} {'plain':>8} {'warm':>8}  ratio")
    for name in stages:
        plain, warm = (statistics.median(times[how][name]) for how in ("plain", "warm"))
        print(f"  {name:28} {plain:7.2f}s {warm:7.2f}s  {warm / plain:.2f}x")
    plain_all, warm_all = (
        [statistics.median(v) for v in times[how].values()] for how in ("plain", "warm")
    )
    print(
        f"  {'one build (median)':28} {statistics.median(plain_all):7.2f}s "
        f"{statistics.median(warm_all):7.2f}s  "
        f"{statistics.median(warm_all) / statistics.median(plain_all):.2f}x"
    )
    print(
        f"  {'all sources (sum)':28} {sum(plain_all):7.2f}s {sum(warm_all):7.2f}s  "
        f"{sum(warm_all) / sum(plain_all):.2f}x"
    )


if __name__ == "__main__":
    main()
