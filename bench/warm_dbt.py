"""The ingest DAGs' staging builds, by plain ``dbt`` and through the warm dbt server.

The sample lake is seeded; then, for each source with staging models, the ``stage`` step's
``dbt build`` of them (``--indirect-selection cautious``, as the ingest DAG runs it) is run
``--repeat`` times by plain ``dbt`` and by ``olp-dbt`` through two warm dbt servers
(``olp_dbt.warm``), in turn, on the same lake: one that has only imported dbt (``imports``,
``--no-warm-up``) and one that has also run its warm-up build (``warm``, as the local Airflow
runs it). Printed: the median wall time of one build per way, the ratios to plain dbt, and the
sum over the sources of each source's median (a demo's staging work).

    uv run python bench/warm_dbt.py [--repeat 3] [--sources mailgun,xpro_app]
"""

from __future__ import annotations

import argparse
import contextlib
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
    env = {
        **os.environ,
        "DBT_TARGET": "duckdb",
        "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
        **catalog_env(settings),
    }
    ways = ("plain", "imports", "warm")
    # The client finds its server in OLP_DBT_SERVER: without it, olp-dbt is plain dbt.
    envs = {
        "plain": env,
        **{how: {**env, "OLP_DBT_SERVER": str(home / f"{how}.sock")} for how in ways[1:]},
    }
    with contextlib.ExitStack() as servers:
        for how in ways[1:]:
            servers.enter_context(
                warm_dbt_server(
                    home / f"{how}.sock", home / f"{how}-server.log", env=env,
                    warm_up=how == "warm",
                )
            )  # fmt: skip
        executables = {"plain": str(DBT_EXECUTABLE)} | {
            h: str(DBT_BIN / "olp-dbt") for h in ways[1:]
        }

        def build(how: str, models: list[str]) -> float:
            started = time.perf_counter()
            done = subprocess.run(
                [executables[how], "build", "--indirect-selection", "cautious", "--select",
                 *models, "--profiles-dir", ".", "--profile", "ol_dbt", "--target", "duckdb",
                 "--target-path", str(home / "target")],
                cwd=DBT_PROJECT_DIR, env=envs[how], capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode:
                sys.exit(f"{how} dbt build of {models} failed:\n{done.stdout[-3000:]}")
            return time.perf_counter() - started

        build("plain", [m for models in stages.values() for m in models])  # parse once
        times: dict[str, dict[str, list[float]]] = {how: {} for how in ways}
        for _ in range(args.repeat):
            for name, models in stages.items():
                for how in times:
                    times[how].setdefault(name, []).append(build(how, models))
    print(f"\nstaging builds of {len(stages)} sources, {args.repeat} times each way (medians)")
    print(
        f"  {'source':28}" + "".join(f"{how:>9}" for how in ways)
        + "".join(f"{how + '/plain':>15}" for how in ways[1:])
    )  # fmt: skip

    def row(label: str, values: dict[str, float]) -> None:
        print(
            f"  {label:28}" + "".join(f"{values[how]:8.2f}s" for how in ways)
            + "".join(f"{values[how] / values['plain']:14.2f}x" for how in ways[1:])
        )  # fmt: skip

    for name in stages:
        row(name, {how: statistics.median(times[how][name]) for how in ways})
    medians = {how: [statistics.median(v) for v in times[how].values()] for how in ways}
    row("one build (median)", {how: statistics.median(medians[how]) for how in ways})
    row("all sources (sum)", {how: sum(medians[how]) for how in ways})


if __name__ == "__main__":
    main()
