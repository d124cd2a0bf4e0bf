"""The ``olp`` command: run the platform locally and look after its sources.

Each subcommand is one ``add_<name>`` function registering its parser in :data:`SUBCOMMANDS`.
A failure the user can fix ends in one line saying what to do next (exit 1); a command stopped
by a signal stops the Airflow it started first.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import textwrap

from ol_platform.settings import (
    SampleDataRefused,
    SettingsError,
    get_settings,
    require_sample_environment,
)

DESCRIPTION = """\
Run MIT Open Learning's ELT platform on this machine and look after its source registry.
State lives in $OLP_HOME (default: .olp/ in the checkout); OLP_ENV picks the profile."""

EPILOG = """\
examples (after `make demo` on a fresh clone):
  uv run olp up                                # the Airflow UI over the demo's state again
  uv run olp seed                              # sample data into the lake, no Airflow
  uv run olp dbt -- build -s +dim_course_run   # dbt against the local lake
  uv run olp sources                           # validate and list include/sources.yaml
run `uv run olp <command> --help` for a command's options"""


def _parser(sub, name: str, summary: str, description: str, examples: str, **kwargs):
    return sub.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 88),
        epilog=f"example:\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


def _demo(args: argparse.Namespace) -> int:
    from ol_platform.cli.demo import run_demo

    settings = get_settings()
    summary = run_demo(settings, keep_running=args.keep_running, port=args.port)
    if not args.keep_running or not summary.ok:
        print(summary.render())
        print("Airflow has stopped: `uv run olp up` opens its UI again over this state.")
    print(f"\nSummary written to {settings.home / 'demo-summary.json'}")
    if not summary.ok:
        print(
            "The demo FAILED: the failed runs are listed above; `uv run olp up` reopens the UI "
            "over this state to read their task logs",
            file=sys.stderr,
        )
    return 0 if summary.ok else 1


def add_demo(sub) -> None:
    demo = _parser(
        sub,
        "demo",
        "run the whole chain locally under a real Airflow",
        "Generate the sample systems, start a local Airflow, run every ingest DAG once, wait for "
        "the transform, course exports, MIT Learn webhooks and OpenMetadata runs their Assets "
        "trigger, print a summary (also written to $OLP_HOME/demo-summary.json) and stop "
        "Airflow. Prints progress while it waits. Exits 1 if any run, model or test failed.",
        "  uv run olp demo                 # what `make demo` runs\n"
        "  uv run olp demo --keep-running  # leave the UI up afterwards; Ctrl-C stops it",
    )
    demo.add_argument(
        "--keep-running",
        action="store_true",
        help="leave Airflow and its UI up after a successful demo, until Ctrl-C or SIGTERM",
    )
    demo.add_argument(
        "--port", type=int, default=None, help="API server / UI port (default: a free one)"
    )
    demo.set_defaults(func=_demo)


def _up(args: argparse.Namespace) -> int:
    from ol_platform.cli.up import run_up

    return run_up(get_settings(), port=args.port)


def add_up(sub) -> None:
    up = _parser(
        sub,
        "up",
        "start the local Airflow over the existing state (the UI again after `make demo`)",
        "Start the local Airflow (scheduler, DAG processor, triggerer, API server) over the "
        "lake, runs and logs in $OLP_HOME, without rerunning anything, and serve the sample "
        "systems so runs triggered from the UI can load. Prints the UI address and how to log "
        "in; Ctrl-C, SIGTERM or closing the terminal stops every Airflow process. Refuses an "
        "empty state folder: run `make demo` or `olp seed` first.",
        "  uv run olp up              # then open the printed address\n  uv run olp up --port 8080",
        aliases=["airflow"],
    )
    up.add_argument(
        "--port", type=int, default=None, help="API server / UI port (default: a free one)"
    )
    up.set_defaults(func=_up)


def _sources(args: argparse.Namespace) -> int:
    from ol_platform.sources.registry import load_registry

    registry = load_registry(args.registry)
    for source in registry.sources.values():
        tables = ", ".join(source.raw_table_names()) or "-"
        print(
            f"{source.dag_id:<28} {source.transport.value:<14} {source.cadence.value:<4} {tables}"
        )
    # One line per problem: file, source, field, what is wrong.
    for problem in registry.problems:
        print(f"ERROR {problem}", file=sys.stderr)
    return 1 if registry.broken else 0


def add_sources(sub) -> None:
    sources = _parser(
        sub,
        "sources",
        "validate and list the source registry",
        "Validate include/sources.yaml and list every source: its DAG id, transport, cadence "
        "and raw tables. Each error names the file, the source and the field; exits 1 if any.",
        "  uv run olp sources\n  uv run olp sources --registry /tmp/sources.yaml",
    )
    sources.add_argument(
        "--registry",
        default=None,
        help="path of sources.yaml (default: $OLP_REGISTRY or include/sources.yaml)",
    )
    sources.set_defaults(func=_sources)


def _seed(args: argparse.Namespace) -> int:
    """One line per source (rows, tables, seconds); the failures listed again at the end."""
    from ol_platform.samples.systems import seed_lake
    from ol_platform.sources.registry import load_registry

    if not args.verbose:  # dlt's progress, the loaders' steps: `olp -v seed` shows them
        import warnings

        quiet = ("ol_platform", "dlt", "py.warnings", "airflow")
        for name in quiet:
            logging.getLogger(name).setLevel(logging.ERROR)
        import airflow  # noqa: F401  (configures its logging at import: quiet it again after)

        for name in quiet:
            logging.getLogger(name).setLevel(logging.ERROR)
        # A merge into a table without the key yet: expected on a first seed.
        warnings.filterwarnings("ignore", "Delete operation did not match", UserWarning)
    settings = get_settings()
    require_sample_environment(settings, "olp seed")  # before anything is read or printed
    registry = load_registry()
    for problem in registry.problems:  # those sources cannot be seeded; the others are
        print(f"FAILED {problem}", flush=True)
    seeded = seed_lake(settings, registry)
    for s in seeded:
        if s.error:
            print(f"FAILED {s.error}", flush=True)
        else:
            tables = len(s.results)
            print(f"{s.source:<24} {s.rows:>9} rows in {tables:>2} table(s) {s.seconds:6.1f}s")
    failed = [s.source for s in seeded if s.error] + [b.label for b in registry.broken]
    if failed:
        print(f"olp seed: {len(failed)} source(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def add_seed(sub) -> None:
    seed = _parser(
        sub,
        "seed",
        "land every source's sample data in the local lake, without Airflow",
        "Generate the sample systems and run every source's local loader into the lake in "
        "$OLP_HOME, without Airflow: the raw tables dbt (`olp dbt`) and `olp up` work on.",
        "  uv run olp seed && uv run olp dbt -- build -s +dim_course_run",
    )
    seed.set_defaults(func=_seed)


# dbt subcommands that read the lake; the others (parse, ls, compile, docs...) do not need it.
DBT_READS_LAKE = {"build", "run", "test", "seed", "snapshot", "show", "source", "retry"}


def _dbt(args: argparse.Namespace) -> int:
    """dbt from its own environment, pointed at the local lake (DuckDB target)."""
    import subprocess

    from ol_platform.cli.local_state import require_raw_tables
    from ol_platform.lake.catalog import catalog_env
    from ol_platform.lake.naming import warehouse_schema
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    settings = get_settings()
    dbt_args = [a for a in args.dbt_args if a != "--"]
    if not dbt_args:
        print("olp dbt: give dbt's arguments after `--`, e.g. `olp dbt -- build -s staging`")
        return 2
    if not DBT_EXECUTABLE.exists():
        print(f"olp dbt: {DBT_EXECUTABLE} is missing: run `make build` first", file=sys.stderr)
        return 1
    if next((a for a in dbt_args if not a.startswith("-")), "") in DBT_READS_LAKE:
        require_raw_tables(settings)
    env = {
        **os.environ,
        "DBT_TARGET": os.environ.get("DBT_TARGET", "duckdb"),
        "OLP_WAREHOUSE_SCHEMA": warehouse_schema(settings.env),
        # Only tests whose every parent is selected: a relationship test to a model outside
        # the selection would read a table a partial lake (`olp seed`) does not have.
        "DBT_INDIRECT_SELECTION": os.environ.get("DBT_INDIRECT_SELECTION", "cautious"),
        **catalog_env(settings),
    }
    command = [str(DBT_EXECUTABLE), *dbt_args, "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env).returncode


def add_dbt(sub) -> None:
    dbt = _parser(
        sub,
        "dbt",
        "run dbt against the local lake, e.g. `olp dbt -- build -s staging`",
        "Run dbt from its own environment (dbt_project/.venv) on DuckDB over the local lake: "
        "every Iceberg table is a view, every model is written back to Iceberg. Everything "
        "after `--` goes to dbt. Tests are selected cautiously (only those whose every parent "
        "is selected; DBT_INDIRECT_SELECTION or --indirect-selection overrides it). Commands "
        "that read the lake need raw tables: `olp seed` or `make demo` first.",
        "  uv run olp dbt -- build -s +dim_course_run\n"
        "  uv run olp dbt -- ls -s staging --resource-type model",
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt's own arguments, after --")
    dbt.set_defaults(func=_dbt)


def _dbt_sources(args: argparse.Namespace) -> int:
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform import dbt_sources

    registry = load_registry(args.registry)
    if registry.broken:
        for problem in registry.problems:
            print(f"ERROR {problem}", file=sys.stderr)
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


def add_dbt_sources(sub) -> None:
    dbt_src = _parser(
        sub,
        "dbt-sources",
        "write the dbt raw sources (and their freshness) from the registry",
        "Write dbt_project/models/staging/_sources.yml from include/sources.yaml: one dbt "
        "source table per raw table, freshness from the source's cadence. Run it after adding "
        "or changing a source, then `make build`.",
        "  uv run olp dbt-sources\n  uv run olp dbt-sources --check   # exit 1 if out of date",
    )
    dbt_src.add_argument(
        "--registry",
        default=None,
        help="path of sources.yaml (default: $OLP_REGISTRY or include/sources.yaml)",
    )
    dbt_src.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is out of date"
    )
    dbt_src.set_defaults(func=_dbt_sources)


def add_backfill(sub) -> None:
    from ol_platform.cli import backfill  # its parser lives with the command

    backfill.register(sub)


SUBCOMMANDS = [add_demo, add_up, add_seed, add_dbt, add_dbt_sources, add_sources, add_backfill]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="olp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ol_platform.cli.embedded_airflow import AirflowStartError, Interrupted
    from ol_platform.cli.local_state import UserError
    from ol_platform.lake.catalog import LakeMovedError
    from ol_platform.transform.project import ManifestMissingError

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # one line per HTTP request is noise in a terminal; -v shows them
        logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        # Airflow is imported by the library: keep its home inside the platform's state folder.
        os.environ.setdefault("AIRFLOW_HOME", str(get_settings().home / "airflow"))
        return args.func(args)
    except (SettingsError, SampleDataRefused) as exc:  # configuration, not a bug: no traceback
        _error(f"olp {args.command}: {exc}")
        return 2
    except (UserError, LakeMovedError, ManifestMissingError, AirflowStartError) as exc:
        _error(f"olp {args.command}: {exc}")
        return 1
    except Interrupted as stop:
        _error(f"olp {args.command}: stopped by {stop}; every Airflow process it started exited")
        return stop.exit_code


def _error(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # the terminal may be gone (SIGHUP)
        print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
