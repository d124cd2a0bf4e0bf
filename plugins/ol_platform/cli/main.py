"""The ``olp`` command: run the platform locally and look after its sources."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ol_platform.settings import get_settings


def _demo(args: argparse.Namespace) -> int:
    from ol_platform.cli.demo import run_demo

    settings = get_settings()
    summary = run_demo(settings, keep_running=args.keep_running, port=args.port)
    if not args.keep_running or not summary.ok:
        print(summary.render())
    print(f"\nSummary written to {settings.home / 'demo-summary.json'}")
    return 0 if summary.ok else 1


def _sources(args: argparse.Namespace) -> int:
    from ol_platform.sources.registry import load_registry

    registry = load_registry(args.registry)
    for source in registry.sources.values():
        tables = ", ".join(source.raw_table_names()) or "-"
        print(
            f"{source.dag_id:<28} {source.transport.value:<14} {source.cadence.value:<4} {tables}"
        )
    for message in registry.errors.values():
        print(f"ERROR {message}", file=sys.stderr)
    return 1 if registry.errors else 0


def _seed(args: argparse.Namespace) -> int:
    from ol_platform.samples.systems import seed_lake

    for result in seed_lake(get_settings()):
        print(f"{result.table:<80} {result.total_rows:>8}")
    return 0


def _dbt(args: argparse.Namespace) -> int:
    """dbt from its own environment, pointed at the local lake (DuckDB target)."""
    import subprocess

    from ol_platform.lake.catalog import catalog_env
    from ol_platform.lake.naming import warehouse_schema
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    settings = get_settings()
    env = {
        **os.environ,
        "DBT_TARGET": os.environ.get("DBT_TARGET", "duckdb"),
        "OLP_WAREHOUSE_SCHEMA": warehouse_schema(settings.env),
        **catalog_env(settings),
    }
    dbt_args = [a for a in args.dbt_args if a != "--"]
    command = [str(DBT_EXECUTABLE), *dbt_args, "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env).returncode


def _dbt_sources(args: argparse.Namespace) -> int:
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform import dbt_sources

    registry = load_registry(args.registry)
    if registry.errors:
        for message in registry.errors.values():
            print(f"ERROR {message}", file=sys.stderr)
        return 1
    if args.check:
        current = dbt_sources.SOURCES_YML.read_text() if dbt_sources.SOURCES_YML.exists() else ""
        if current != dbt_sources.render(registry):
            print(f"{dbt_sources.SOURCES_YML} is out of date: run `olp dbt-sources`")
            return 1
        return 0
    changed = dbt_sources.write(registry)
    print(f"{dbt_sources.SOURCES_YML}: {'rewritten' if changed else 'up to date'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="olp", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the whole chain locally under a real Airflow")
    demo.add_argument("--keep-running", action="store_true", help="leave Airflow and its UI up")
    demo.add_argument("--port", type=int, default=None, help="API server / UI port")
    demo.set_defaults(func=_demo)

    sources = sub.add_parser("sources", help="validate and list the source registry")
    sources.add_argument("--registry", default=None, help="path of sources.yaml")
    sources.set_defaults(func=_sources)

    seed = sub.add_parser(
        "seed", help="land every source's sample data in the local lake, without Airflow"
    )
    seed.set_defaults(func=_seed)

    dbt = sub.add_parser(
        "dbt", help="run dbt against the local lake, e.g. `olp dbt -- build -s staging`"
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=_dbt)

    dbt_src = sub.add_parser(
        "dbt-sources", help="write the dbt raw sources (and their freshness) from the registry"
    )
    dbt_src.add_argument("--registry", default=None, help="path of sources.yaml")
    dbt_src.add_argument("--check", action="store_true", help="fail if the file is out of date")
    dbt_src.set_defaults(func=_dbt_sources)

    from ol_platform.cli import backfill

    backfill.register(sub)

    args = parser.parse_args(argv)
    # Airflow is imported by the library: keep its home inside the platform's state folder.
    os.environ.setdefault("AIRFLOW_HOME", str(get_settings().home / "airflow"))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
