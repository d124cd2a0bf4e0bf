"""The transform DAG: parse time at this project's size, 250 and 700 models, and the wall time of
a Cosmos-run DAG against a plain ``dbt build`` of the same selection on the same data.

Parse: a fresh process per parse, Airflow pre-imported as the DAG processor has it, timing
``dags/transform.py`` only; medians of ``--repeat``. The 250-model case is this project's
manifest plus generated models (chains of intermediate models over the real staging
models), in a temporary project directory.

Wall time: the sample lake is seeded (``olp seed``) and staged once; then, in one run,
``dbt build`` of the transform selection (the baseline) and the transform DAG under a real
embedded Airflow (scheduler, LocalExecutor), run ``--runs`` times per render mode on a full
landing: an Asset event for every raw table, as the ingest DAGs publish them, recorded while
the scheduler is stopped so that it sees the landing at once. A landing's wall time is its
first DAG run's start to the end of its last dbt task (``dbt_docs`` aside), over every part
DAG when a large project's model tasks are spread over several (``--timeline`` lists each
part's runs). Medians. ``--wall-models 76,250,700`` runs
generated projects of real SQL models too (:func:`runnable_project`); ``--timeline`` prints
where each run's time went.

    uv run python bench/transform.py [--repeat 5] [--runs 3]
        [--modes build,models,models/stock-triggerer] [--wall-models 76,250] [--timeline] [--keep]
        [--skip-parse] [--skip-wall]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

PARSE = """
import json, runpy, time
import airflow, airflow.sdk  # pre-imported by the DAG processor
t = time.perf_counter()
ns = runpy.run_path({path!r})
dags = {{id(v): v for v in ns.values() if type(v).__name__ == "DAG"}}.values()
sizes = sorted((len(d.tasks) for d in dags), reverse=True)
print(json.dumps({{"seconds": time.perf_counter() - t, "tasks": sizes}}))
"""


def synthetic_project(models: int, into: Path) -> int:
    """Copy the project's manifest and add intermediate models up to ``models`` in total."""
    from ol_platform.transform.project import DBT_PROJECT_DIR, MANIFEST_PATH

    manifest = json.loads(MANIFEST_PATH.read_text())
    nodes = manifest["nodes"]
    real = [n for n in nodes.values() if n["resource_type"] == "model"]
    staging = [n["unique_id"] for n in real if n["config"].get("schema") == "staging"]
    template = next(n for n in real if n["config"].get("schema") == "intermediate")
    for i in range(models - len(real)):
        node = copy.deepcopy(template)
        name = f"int__synthetic__model_{i:03d}"
        uid = f"model.ol_dbt.{name}"
        # Chains of five over the real staging models: depth as well as breadth.
        parent = (
            staging[i % len(staging)]
            if i % 5 == 0
            else f"model.ol_dbt.int__synthetic__model_{i - 1:03d}"
        )
        node.update(name=name, unique_id=uid, alias=name, fqn=["ol_dbt", "synthetic", name])
        node["depends_on"] = {"macros": [], "nodes": [parent]}
        node["path"] = node["original_file_path"] = f"models/synthetic/{name}.sql"
        nodes[uid] = node
        for kind in ("unique", "not_null"):
            test = copy.deepcopy(next(n for n in nodes.values() if n["resource_type"] == "test"))
            tid = f"test.ol_dbt.{kind}_{name}_id.{i:010d}"
            test.update(name=f"{kind}_{name}_id", unique_id=tid)
            test["depends_on"] = {"macros": [], "nodes": [uid]}
            test["attached_node"] = uid
            nodes[tid] = test
    (into / "target").mkdir(parents=True, exist_ok=True)
    (into / "target" / "manifest.json").write_text(json.dumps(manifest))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(DBT_PROJECT_DIR / name, into / name)
    for name in ("models", "macros", "tests"):
        (into / name).symlink_to(DBT_PROJECT_DIR / name)
    return sum(1 for n in nodes.values() if n["resource_type"] == "model")


def runnable_project(models: int, into: Path) -> int:
    """A copy of the dbt project with real SQL models added up to ``models`` in all: chains of
    five intermediate models over the staging models, each an Iceberg table as every model
    here is; parsed by dbt. Returns the number of models."""
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR, load_graph

    graph = load_graph()
    staging = [m.name for m in graph.in_layers(("staging",))]
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(DBT_PROJECT_DIR / name, into / name)
    # The project's dbt environment too: the DAGs run `<project>/.venv/bin/dbt`.
    for name in ("macros", "tests", "olp_dbt", ".venv"):
        (into / name).symlink_to(DBT_PROJECT_DIR / name)
    # A copy: dbt does not read models through symlinks.
    shutil.copytree(DBT_PROJECT_DIR / "models", into / "models")
    generated = into / "models" / "intermediate" / "synthetic"
    generated.mkdir()
    for i in range(models - len(graph.models)):
        parent = staging[(i // 5) % len(staging)] if i % 5 == 0 else f"int__synthetic__{i - 1:03d}"
        sql = f"select * from {{{{ ref('{parent}') }}}}\n"
        (generated / f"int__synthetic__{i:03d}.sql").write_text(sql)
    env = {**os.environ, "DBT_TARGET": "duckdb", "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local"}
    subprocess.run(
        [str(DBT_EXECUTABLE), "parse", "--profiles-dir", ".", "--profile", "ol_dbt",
         "--target", "duckdb", "--quiet"],
        cwd=into, env=env, check=True,
    )  # fmt: skip
    return max(models, len(graph.models))


def parse_median(env: dict, repeat: int) -> tuple[float, list[int]]:
    """Median seconds to parse the transform DAG file, and the task count of each of its DAGs."""
    code = PARSE.format(path=str(ROOT / "dags" / "transform.py"))
    samples, tasks = [], []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(result["seconds"])
        tasks = result["tasks"]
    return statistics.median(samples), tasks


def bench_parse(repeat: int, modes: list[str]) -> None:
    from ol_platform.transform.project import load_graph

    base = {
        **os.environ,
        "AIRFLOW_HOME": str(ROOT / ".olp" / "bench-airflow"),
        "OLP_HOME": str(ROOT / ".olp" / "bench"),
        "AIRFLOW__COSMOS__ENABLE_CACHE": "False",
    }
    print(f"Transform DAG parse time (median of {repeat} fresh processes)")
    print(f"  {'models':>7} {'render':<8} {'seconds':>8}  tasks per DAG")
    with tempfile.TemporaryDirectory() as tmp250, tempfile.TemporaryDirectory() as tmp700:
        cases = [
            (len(load_graph().models), None),
            (synthetic_project(250, Path(tmp250)), tmp250),
            (synthetic_project(700, Path(tmp700)), tmp700),
        ]
        for models, project in cases:
            for mode in dict.fromkeys(m.partition("/")[0] for m in modes):
                env = {**base, "OLP_DBT_RENDER": mode}
                if project:
                    env["OLP_DBT_PROJECT_DIR"] = project
                seconds, tasks = parse_median(env, repeat)
                print(f"  {models:>7} {mode:<8} {seconds:>8.3f}  {'+'.join(map(str, tasks))}")


def _duration(run: dict, tis: list[dict]) -> float:
    """Run start to the end of its last dbt task: the ``dbt_docs`` step after the build (the
    catalog for OpenMetadata) is the same in every mode and no part of ``dbt build``."""
    start = datetime.fromisoformat(run["start_date"])
    ends = [
        datetime.fromisoformat(ti["end_date"])
        for ti in tis
        if ti["task_id"] != "dbt_docs" and ti.get("end_date")
    ]
    return (max(ends) - start).total_seconds()


def _since(start: str, stamp: str | None) -> float | None:
    """Seconds from ``start`` to ``stamp`` (API timestamps); None without a stamp."""
    if not stamp:
        return None
    return (datetime.fromisoformat(stamp) - datetime.fromisoformat(start)).total_seconds()


def timeline(run: dict, tis: list[dict]) -> str:
    """Where a run's time went: seconds from the run's start to each milestone."""

    def at(stamp: str | None) -> float | None:
        return _since(run["start_date"], stamp)

    by_id = {ti["task_id"]: ti for ti in tis}
    # The first dbt task to start.
    dbt = [t for t in tis if t["task_id"] in ("dbt_producer", "dbt_build") and t["start_date"]]
    first = min(dbt, key=lambda t: t["start_date"], default={})
    models = [ti for ti in tis if "." in ti["task_id"] and ti.get("end_date")]
    parts = [
        f"first task queued {at(first.get('queued_when')) or 0:.1f}",
        f"started {at(first.get('start_date')) or 0:.1f}",
        f"ended {at(first.get('end_date')) or 0:.1f}",
    ]
    if models:
        ends = sorted(at(ti["end_date"]) for ti in models)
        parts.append(f"{len(models)} model tasks ended {ends[0]:.1f}..{ends[-1]:.1f}")
    if docs := by_id.get("dbt_docs"):
        span = (at(docs.get("start_date")) or 0, at(docs.get("end_date")) or 0)
        parts.append(f"dbt_docs {span[0]:.1f}..{span[1]:.1f}")
    parts.append(f"run ended {at(run.get('end_date')) or 0:.1f}")
    return ", ".join(parts)


def run_lines(new: list, tis_of: dict, start: str) -> list[str]:
    """One line per DAG run of a landing: its span from the landing's first run's start, and
    how many of its model tasks built their model or were skipped by the run's plan."""

    def at(stamp: str | None) -> float:
        return _since(start, stamp) or 0.0

    lines = []
    for dag_id, run in sorted(new, key=lambda dr: dr[1]["start_date"] or ""):
        models = [ti for ti in tis_of[dag_id, run["dag_run_id"]] if "." in ti["task_id"]]
        built = sum(ti["state"] == "success" for ti in models)
        skipped = sum(ti["state"] == "skipped" for ti in models)
        lines.append(
            f"      {dag_id:<20} {at(run['start_date']):6.1f}..{at(run['end_date']):6.1f} s: "
            f"{built} models built, {skipped} skipped"
        )
    return lines


def _children_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def cpu_seconds(airflow) -> dict[str, float]:
    """CPU seconds used so far by each Airflow component's process group (the scheduler's
    includes its executor's task processes; the dbt server's, its forks), ended children
    included."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {os.getpgid(p.pid): name for name, p in airflow.processes.items() if p.poll() is None}
    used = dict.fromkeys(groups.values(), 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # After the name: state, ppid, pgrp, ..., utime stime cutime cstime (fields 14-17).
        name = groups.get(int(fields[2]))
        if name is not None:
            used[name] += sum(int(v) for v in fields[11:15]) / tick
    return used


def part_ids(project: Path, mode: str) -> list[str]:
    """The transform's DAG ids: one, or its parts for a large project in the models render."""
    from ol_platform.orchestration.transform_dag import (
        TRANSFORM_LAYERS,
        models_per_dag,
        part_dag_id,
        transform_parts,
    )
    from ol_platform.transform.project import load_graph

    models = load_graph(project / "target" / "manifest.json").in_layers(TRANSFORM_LAYERS)
    parts = transform_parts(models, models_per_dag()) if mode == "models" else [models]
    return [part_dag_id(i, len(parts)) for i in range(len(parts))]


@contextlib.contextmanager
def scheduler_stopped(airflow):
    """The scheduler (and its executor's workers, idle here) stopped, then continued: events
    recorded meanwhile reach it at once. Posting 155 events takes the API about 2.5 s, and
    without this the scheduler starts each DAG's run on the first few, and a second run (after
    the first, each paying dbt's start-up on the whole project) on the rest."""
    group = os.getpgid(airflow.processes["scheduler"].pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def land_every_raw_table(api, env: str) -> int:
    """An event for every raw table's Asset, as a full landing of every source publishes them:
    the transform runs on these, building what they reach. Returns how many were sent."""
    from concurrent.futures import ThreadPoolExecutor

    from ol_platform.lake.assets import table_uri
    from ol_platform.lake.naming import namespace

    prefix = table_uri(namespace(env, "raw"), "")
    ids = [a["id"] for a in api.all_assets() if a["uri"].startswith(prefix)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: api.emit_asset_event(i, {"bench": "full landing"}), ids))
    return len(ids)


def _settle(api, dag_ids: list[str], before: dict[str, set[str]], quiet: int = 3) -> list:
    """The runs of ``dag_ids`` started since ``before``, once none is queued or running and
    none has started for ``quiet`` polls, 2 s apart. One batch call per poll: the per-DAG
    listing deserializes the DAG on each call, which took the API server 10 s of CPU during
    a 700-model landing (the run's own timestamps are what is measured)."""
    still = 0
    while still < quiet:
        runs = api.runs_of(dag_ids)
        new = [(d, r) for d in dag_ids for r in runs[d] if r["dag_run_id"] not in before[d]]
        busy = any(r["state"] not in ("success", "failed") for _, r in new)
        still = 0 if busy else still + 1
        time.sleep(2)
    return new


def bench_wall(
    runs: int,
    modes: list[str],
    show_timeline: bool = False,
    models: int | None = None,
    keep: bool = False,
) -> None:
    """``models``: run a generated project of that many models (see :func:`runnable_project`)."""
    from ol_platform.cli.airflow_api import AirflowAPI
    from ol_platform.cli.embedded_airflow import DBT_SERVER, PATCHED_COMPONENTS, EmbeddedAirflow
    from ol_platform.lake.catalog import catalog_env
    from ol_platform.orchestration.transform_dag import TRANSFORM_SELECT
    from ol_platform.samples.systems import seed_lake
    from ol_platform.settings import Settings
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR, load_graph

    home = Path(tempfile.mkdtemp(prefix="olp-bench-"))
    project = DBT_PROJECT_DIR
    if models:
        project = home / "dbt_project"
        project.mkdir()
        models = runnable_project(models, project)
        # Read by the Airflow components (Cosmos's project, the DAG's manifest).
        os.environ["OLP_DBT_PROJECT_DIR"] = str(project)
    size = models or len(load_graph().models)
    settings = Settings(env="local", home=home)
    os.environ.update(OLP_HOME=str(home), AIRFLOW_HOME=str(home / "airflow"))
    failed = [r.error for r in seed_lake(settings) if r.error]
    if failed:
        raise SystemExit("\n".join(failed))
    env = {
        **os.environ,
        "DBT_TARGET": "duckdb",
        "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
        **catalog_env(settings),
    }

    cpu_of_plain: list[float] = []

    def dbt_build(*select: str, flags: tuple[str, ...] = ()) -> float:
        started, cpu = time.perf_counter(), _children_cpu()
        out = subprocess.run(
            [str(DBT_EXECUTABLE), "build", *flags, "--select", *select, "--profiles-dir", ".",
             "--profile", "ol_dbt", "--target", "duckdb", "--target-path", str(home / "target")],
            cwd=project, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            sys.exit(f"dbt build {' '.join(select)} failed:\n{out.stdout[-3000:]}")
        cpu_of_plain.append(_children_cpu() - cpu)
        return time.perf_counter() - started

    # The ingest DAGs' part, done once, as they run it.
    dbt_build("config.schema:staging", flags=("--indirect-selection", "cautious"))
    plain = statistics.median(dbt_build(*TRANSFORM_SELECT) for _ in range(runs))
    print(f"\nTransform wall time, {size} models (medians of {runs}; same selection, same data)")
    print(f"  plain dbt build                 {plain:7.1f} s   1.00x", end="")
    print(f"   ({statistics.median(cpu_of_plain[1:]):.1f} CPU seconds)" if show_timeline else "")
    for label in modes:
        # "<mode>/stock": that rendering under Airflow's own commands, without the platform's
        # fixes and with plain dbt; "<mode>/stock-<component>" (e.g. stock-triggerer,
        # stock-dbt-server): without that one's only.
        mode, _, variant = label.partition("/")
        os.environ["OLP_DBT_RENDER"] = mode
        stock = {"stock": {*PATCHED_COMPONENTS, DBT_SERVER}, "": set()}.get(variant)
        if stock is None:
            stock = {variant.removeprefix("stock-")}
        airflow = EmbeddedAirflow(settings, stock=frozenset(stock))
        try:
            airflow.start()
            api = AirflowAPI(airflow.url)
            dag_ids = part_ids(project, mode)
            api.wait_for_dags(dag_ids)
            for dag_id in dag_ids:
                api.unpause(dag_id)
            durations = []
            for _ in range(runs):
                listed = api.runs_of(dag_ids)
                before = {d: {r["dag_run_id"] for r in listed[d]} for d in dag_ids}
                cpu = cpu_seconds(airflow)
                with scheduler_stopped(airflow):
                    landed = land_every_raw_table(api, settings.env)
                new = _settle(api, dag_ids, before)
                cpu = {k: v - cpu.get(k, 0.0) for k, v in cpu_seconds(airflow).items()}
                if any(r["state"] != "success" for _, r in new):
                    sys.exit(f"{label}: a transform run failed; see {airflow.log_dir}")
                # The parts of a split transform share the run id of ``transform``'s run.
                tis_of = {
                    (d, r["dag_run_id"]): api.task_instances(d, r["dag_run_id"]) for d, r in new
                }
                tis = [ti for run_tis in tis_of.values() for ti in run_tis]
                if idle := sorted(set(dag_ids) - {d for d, _ in new}):
                    sys.exit(f"{label}: {', '.join(idle)} did not run; see {airflow.log_dir}")
                run = min((r for _, r in new), key=lambda r: r["start_date"])
                durations.append(_duration(run, tis))
                if show_timeline:
                    print(
                        f"    {label} run: {timeline(run, tis)}; {len(new)} runs of "
                        f"{len(dag_ids)} DAGs on {landed} raw tables' events",
                        flush=True,
                    )
                    if len(new) > 1:
                        print("\n".join(run_lines(new, tis_of, run["start_date"])), flush=True)
                    used = ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items()))
                    print(f"      CPU seconds in the landing: {used}", flush=True)
            wall = statistics.median(durations)
            print(f"  Cosmos transform DAG ({label:<13}) {wall:7.1f} s   {wall / plain:.2f}x")
        finally:
            airflow.stop()
    if keep:
        print(f"  kept the bench's home (lake, Airflow DB and logs): {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="build,models")
    parser.add_argument("--skip-wall", action="store_true")
    parser.add_argument("--skip-parse", action="store_true")
    parser.add_argument("--timeline", action="store_true", help="where each run's time went")
    parser.add_argument("--keep", action="store_true", help="keep the home, to read its logs")
    parser.add_argument(
        "--wall-models",
        default="",
        help="project sizes to run, e.g. 76,250,700: above this project's size, a generated "
        "project (default: this project only)",
    )
    args = parser.parse_args()
    modes = args.modes.split(",")
    if not args.skip_parse:
        bench_parse(args.repeat, modes)
    if not args.skip_wall:
        from ol_platform.transform.project import load_graph

        ours = len(load_graph().models)
        for size in [int(n) for n in args.wall_models.split(",") if n] or [ours]:
            models = size if size > ours else None
            bench_wall(args.runs, modes, args.timeline, models=models, keep=args.keep)


if __name__ == "__main__":
    main()
