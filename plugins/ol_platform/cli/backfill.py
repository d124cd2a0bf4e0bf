"""``olp backfill``: backfill ingest DAGs and rebuild dbt selections through Airflow's REST API.

Everything goes through the public API (``/api/v2/backfills``, its dry run, the DAG runs
listing), never the metadata database, so the same command drives the local Airflow and a
deployed one. What may be backfilled is the registry's ``backfill`` field: a ``window`` source
loads each run's data interval; a ``snapshot`` source is refused with the reason and what to
do instead, before anything is created.

Dates: ``--from``/``--to`` name the data to reload, both included; a date means the whole day
(UTC). An ingest run's data interval is ``[logical date, logical date + cadence)``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TextIO

from ol_platform.cli.airflow_auth import (
    PASSWORD_ENV,
    TOKEN_ENV,
    URL_ENV,
    USERNAME_ENV,
    AirflowAccessError,
    AuthedAirflowAPI,
    connect,
    mask,
)
from ol_platform.cli.backfill_progress import (
    DONE_STATES,
    EXIT_FAILED,
    fmt_time,
    follow,
    parse_time,
)
from ol_platform.ingest.window import backfill_mode, snapshot_refusal
from ol_platform.settings import get_settings
from ol_platform.sources.models import BackfillMode, Source
from ol_platform.sources.registry import Registry, load_registry

TRANSFORM_DAG_ID = "transform"  # ol_platform.orchestration.transform_dag.DAG_ID, without Airflow
ACTIONS = ("status", "cancel", "pause", "unpause", "transform")
EXIT_REFUSED = 2


class BackfillRefused(ValueError):
    """The request cannot be honoured; nothing was created. The message says why and what to do."""


class NotInRegistry(BackfillRefused):
    """The name is no registry source, raw table or dbt model: only Airflow can resolve it."""


@dataclass(frozen=True)
class Target:
    """One DAG to backfill, and the registry source behind it (None for other DAGs)."""

    dag_id: str
    source: Source | None = None
    via: str = ""  # how the user's selection led here

    def interval(self, logical_date: datetime) -> tuple[datetime, datetime] | None:
        if self.source is None:
            return None
        return logical_date, logical_date + timedelta(minutes=self.source.cadence.minutes)


# ---- selection ----------------------------------------------------------------------------


def _dbt_model(name: str) -> bool:
    try:
        from ol_platform.transform.project import load_graph

        return any(m.name == name for m in load_graph().models)
    except FileNotFoundError:
        return False


def resolve_targets(
    selection: str, registry: Registry, api: AuthedAirflowAPI | None = None
) -> list[Target]:
    """A DAG id, a registry source name, or an Asset/table name -> the DAGs to backfill.

    The registry answers first (no network); the API is asked only about names it does not
    know: a DAG id of another DAG file, or an Asset whose producing tasks it lists.
    """
    by_dag = {s.dag_id: s for s in registry.sources.values()}
    if selection in registry.errors:
        raise BackfillRefused(registry.errors[selection])
    if selection in registry.sources:
        source = registry.sources[selection]
        return [Target(source.dag_id, source, f"source {selection}")]
    if selection in by_dag:
        return [Target(selection, by_dag[selection], f"source {by_dag[selection].name}")]
    table = selection.rsplit(".", 1)[-1]  # "<namespace>.<table>" is an Asset name
    producers = list(registry.landing([table]).sources.values())
    if producers:
        return [Target(s.dag_id, s, f"produces {table}") for s in producers]
    if _dbt_model(table):
        raise BackfillRefused(
            f"'{selection}' is a dbt model, built by the '{TRANSFORM_DAG_ID}' DAG on Asset "
            f"events, which has no schedule to backfill: rebuild it with "
            f"`olp backfill transform --select {table}` (add --full-refresh to rebuild "
            "incremental models from scratch)"
        )
    if api is None:
        raise NotInRegistry(f"'{selection}' is not a registry source or raw table")
    return _resolve_remote(selection, api, by_dag)


def _resolve_remote(selection: str, api: AuthedAirflowAPI, by_dag: dict[str, Source]):
    try:
        api.call("GET", f"/dags/{selection}")
        return [Target(selection, by_dag.get(selection), "DAG id")]
    except AirflowAccessError as exc:
        if "HTTP 404" not in str(exc):
            raise
    assets = api.call("GET", "/assets", name_pattern=selection, limit=100).get("assets", [])
    assets += api.call("GET", "/assets", uri_pattern=selection, limit=100).get("assets", [])
    exact = [a for a in assets if selection in (a["name"], a["uri"])]
    dags = sorted({t["dag_id"] for a in exact for t in a.get("producing_tasks", [])})
    if not dags:
        raise BackfillRefused(
            f"'{selection}' is not a DAG id, a registry source, a raw table or an Asset "
            "produced by any DAG of this Airflow; `olp sources` lists the sources and tables"
        )
    return [Target(d, by_dag.get(d), f"produces {selection}") for d in dags]


def check_semantics(targets: list[Target]) -> list[str]:
    """Refuse snapshot sources (all or nothing); notes for DAGs outside the registry."""
    refusals = [
        snapshot_refusal(t.source)
        for t in targets
        if t.source is not None and backfill_mode(t.source) is BackfillMode.SNAPSHOT
    ]
    if refusals:
        raise BackfillRefused("\n".join(refusals))
    if any(t.dag_id == TRANSFORM_DAG_ID for t in targets):
        raise BackfillRefused(
            f"the '{TRANSFORM_DAG_ID}' DAG runs on Asset events and has no data interval: use "
            "`olp backfill transform --select <models>`"
        )
    return [
        f"note: {t.dag_id} is not a registry source: the data each run loads is up to the DAG"
        for t in targets
        if t.source is None
    ]


# ---- dates and output ----------------------------------------------------------------------


def parse_when(text: str, *, end: bool) -> datetime:
    """A date (the day's start; with ``end``, the start of the next day) or an ISO datetime."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a date (2024-11-24) or an ISO datetime"
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def api_dates(start: datetime, end: datetime) -> tuple[str, str]:
    """Airflow's inclusive logical-date range for intervals starting in ``[start, end)``."""
    if end <= start:
        raise BackfillRefused(
            f"--to is before --from: {start:%Y-%m-%d %H:%M} up to {end:%Y-%m-%d %H:%M} "
            "(excluded) is empty"
        )
    return start.isoformat(), (end - timedelta(microseconds=1)).isoformat()


def render_dry_run(target: Target, logical_dates: list[datetime]) -> list[str]:
    why = target.source.backfill.by if target.source and target.source.backfill else ""
    lines = [
        f"{target.dag_id} ({target.via}{'; window by ' + why if why else ''}): "
        f"{len(logical_dates)} run(s) would be created"
    ]
    lines.append(f"  {'logical date':<18} data interval (UTC)")
    for when in logical_dates:
        interval = target.interval(when)
        span = f"{fmt_time(interval[0])} -> {fmt_time(interval[1])}" if interval else "(DAG's own)"
        lines.append(f"  {fmt_time(when):<18} {span}")
    return lines


# ---- commands ------------------------------------------------------------------------------


def _connect(args: argparse.Namespace) -> AuthedAirflowAPI:
    return connect(
        get_settings(),
        url=args.url,
        token=args.token,
        username=args.username,
        password=args.password,
    )


def run_backfill(args: argparse.Namespace, out: TextIO) -> int:
    registry = load_registry(args.registry)
    start, end = parse_when(args.date_from, end=False), parse_when(args.date_to, end=True)
    from_date, to_date = api_dates(start, end)
    # Refusals the registry can decide are made before Airflow is even contacted.
    api = None
    try:
        targets = resolve_targets(args.selection, registry)
    except NotInRegistry:
        api = _connect(args)
        targets = resolve_targets(args.selection, registry, api)
    for note in check_semantics(targets):
        out.write(note + "\n")
    api = api or _connect(args)
    bodies = {
        t.dag_id: {
            "dag_id": t.dag_id,
            "from_date": from_date,
            "to_date": to_date,
            "run_backwards": args.run_backwards,
            "reprocess_behavior": args.reprocess,
            "max_active_runs": args.max_active_runs,
        }
        for t in targets
    }
    paused = [t.dag_id for t in targets if api.call("GET", f"/dags/{t.dag_id}").get("is_paused")]
    if paused and not args.dry_run and not args.unpause:
        raise BackfillRefused(
            f"{', '.join(paused)} is paused, and Airflow starts no run of a paused DAG: its "
            "backfill runs would wait in the queue. Add --unpause to unpause it first (its "
            "schedule resumes too), or unpause it in the UI"
        )
    for dag_id in paused:
        if args.dry_run:
            out.write(f"note: {dag_id} is paused: a real run needs --unpause\n")
        else:
            api.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
            out.write(f"{dag_id} unpaused (--unpause): its schedule runs again too\n")
    if args.dry_run:
        total = 0
        for t in targets:
            planned = api.call("POST", "/backfills/dry_run", json=bodies[t.dag_id])["backfills"]
            dates = [datetime.fromisoformat(b["logical_date"]) for b in planned]
            total += len(dates)
            out.write("\n".join(render_dry_run(t, dates)) + "\n")
        out.write(f"Dry run: {total} run(s) would be created; nothing was changed.\n")
        return 0
    ids = []
    for t in targets:
        backfill = create_backfill(api, bodies[t.dag_id], out)
        ids.append(backfill["id"])
        out.write(
            f"backfill {backfill['id']} created for {t.dag_id} ({t.via}), "
            f"{fmt_time(start)} -> {fmt_time(end)}\n"
        )
    if not args.wait:
        for i in ids:
            out.write(f"follow: olp backfill status {i}   cancel: olp backfill cancel {i}\n")
        return 0
    return follow(api, ids, out, poll=args.poll)


# Airflow refuses to create a backfill while SQLite metadata is locked ("Backfill creation is not
# supported on SQLite under concurrent access", 503): the local Airflow's scheduler holds the
# lock for moments at a time, so a refusal that created nothing is retried.
CREATE_ATTEMPTS = 5


def create_backfill(api: AuthedAirflowAPI, body: dict, out: TextIO) -> dict:
    """:func:`create_backfill_once`, again after a 5xx that created nothing, with backoff."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return create_backfill_once(api, body, out)
        except AirflowAccessError as exc:
            if exc.status is None or exc.status < 500 or attempt == CREATE_ATTEMPTS:
                raise
            delay = 2**attempt
            out.write(
                f"Airflow answered HTTP {exc.status} and created no backfill (its metadata "
                f"database was busy); retrying in {delay} s\n"
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def create_backfill_once(api: AuthedAirflowAPI, body: dict, out: TextIO) -> dict:
    """POST one backfill, not retried blindly: the API server commits the backfill before it
    creates its runs and can then answer 5xx (SQLite metadata locked by the scheduler), so a
    retry would meet 409. After a 5xx or a 409 the DAG's active backfill is looked up: ours
    (same dates, created just now) is adopted with a warning; another one is reported with the
    commands that follow or cancel it."""
    try:
        return api.call("POST", "/backfills", json=body, attempts=1)
    except AirflowAccessError as exc:
        # No answer (a timeout) or 5xx: the backfill may exist all the same; 409: it does.
        if exc.status is not None and exc.status < 500 and exc.status != 409:
            raise
        error = exc
    active = [
        b
        for b in api.call("GET", "/backfills", dag_id=body["dag_id"], limit=100)["backfills"]
        if b.get("completed_at") is None
    ]
    now = datetime.now(UTC)
    for b in active:
        same = (parse_time(b["from_date"]), parse_time(b["to_date"])) == (
            parse_time(body["from_date"]),
            parse_time(body["to_date"]),
        )
        if same and now - parse_time(b["created_at"]) < timedelta(minutes=2):
            out.write(
                f"warning: Airflow answered an error ({error}) but created backfill {b['id']}; "
                "following it. If runs are missing, cancel it and rerun with "
                "--reprocess failed\n"
            )
            return b
    if active:
        other = active[0]["id"]
        raise BackfillRefused(
            f"{body['dag_id']} already has a running backfill ({other}): follow it with "
            f"`olp backfill status {other}` or cancel it with `olp backfill cancel {other}`"
        )
    raise error


def run_status(args: argparse.Namespace, out: TextIO) -> int:
    return follow(_connect(args), args.ids, out, wait=args.follow, poll=args.poll)


def run_control(args: argparse.Namespace, out: TextIO) -> int:
    api = _connect(args)
    verb = {"cancel": "cancelled", "pause": "paused", "unpause": "resumed"}[args.action]
    code = 0
    for backfill_id in args.ids:
        try:
            backfill = api.call("PUT", f"/backfills/{backfill_id}/{args.action}")
        except AirflowAccessError as exc:
            if "HTTP 409" not in str(exc):
                raise
            out.write(f"backfill {backfill_id}: already completed, nothing to {args.action}\n")
            code = EXIT_FAILED
            continue
        what = {
            "cancel": "its queued runs will not start; running runs finish",
            "pause": "no new run starts until `olp backfill unpause`",
            "unpause": "runs start again",
        }[args.action]
        out.write(f"backfill {backfill_id} of {backfill['dag_id']} {verb}: {what}\n")
    return code


def run_transform(args: argparse.Namespace, out: TextIO) -> int:
    from ol_platform.transform.selection import SelectorError, validate_selector

    try:
        terms = validate_selector(args.select)
    except SelectorError as exc:
        raise BackfillRefused(f"{exc}; nothing was triggered") from None
    api = _connect(args)
    dag = api.call("GET", f"/dags/{TRANSFORM_DAG_ID}")
    conf = {"select": " ".join(terms), "full_refresh": args.full_refresh}
    run = api.call(
        "POST", f"/dags/{TRANSFORM_DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}
    )
    out.write(f"triggered {TRANSFORM_DAG_ID} run {run['dag_run_id']} with conf {conf}\n")
    if dag.get("is_paused") and args.unpause:
        api.call("PATCH", f"/dags/{TRANSFORM_DAG_ID}", json={"is_paused": False})
        out.write(f"{TRANSFORM_DAG_ID} unpaused (--unpause)\n")
    elif dag.get("is_paused"):
        out.write(
            f"note: the {TRANSFORM_DAG_ID} DAG is paused: the run starts when it is unpaused "
            "(--unpause, or the UI's toggle)\n"
        )
    if not args.follow:
        return 0
    while run["state"] not in DONE_STATES:
        time.sleep(args.poll)
        run = api.call("GET", f"/dags/{TRANSFORM_DAG_ID}/dagRuns/{run['dag_run_id']}")
    out.write(f"{TRANSFORM_DAG_ID} run {run['dag_run_id']}: {run['state']}\n")
    return 0 if run["state"] == "success" else EXIT_FAILED


# ---- argument parsing ------------------------------------------------------------------------

USAGE = """\
olp backfill SELECTION --from DATE --to DATE [--dry-run] [--unpause] [--no-wait] [options]
       olp backfill status ID [ID ...] [--wait]
       olp backfill cancel|pause|unpause ID [ID ...]
       olp backfill transform --select SELECTOR [--full-refresh] [--wait]"""

DESCRIPTION = """\
Backfill through the Airflow REST API. SELECTION is a registry source (mitxonline_app), a DAG
id (ingest__tracking_logs), or an Asset/table name (a raw table, or <namespace>.<table>): the
DAGs that produce it. Sources declared `backfill: {mode: snapshot}` in include/sources.yaml
are refused with the reason. Without --url the local Airflow of `make demo-keep` is used."""

EPILOG = f"""\
example:
  uv run olp backfill tracking_logs --from 2024-11-24 --to 2024-11-26 --dry-run
more examples:
  uv run olp backfill tracking_logs --from 2024-11-24 --to 2024-11-26 --unpause
  uv run olp backfill status 3            uv run olp backfill cancel 3
  uv run olp backfill transform --select +dim_course_run --full-refresh

credentials: --token or ${TOKEN_ENV}; or --username/--password (${USERNAME_ENV},
${PASSWORD_ENV}) exchanged at /auth/token; ${URL_ENV} sets the default --url.
exit codes: 0 done, 1 a run failed, 2 refused (nothing created), 130 stopped waiting."""


def _ids(values: list[str], action: str) -> list[int]:
    if not values or not all(v.isdigit() for v in values):
        raise BackfillRefused(f"`olp backfill {action}` takes backfill ids (numbers), got {values}")
    return [int(v) for v in values]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One parser for every form: the first word is a selection or one of :data:`ACTIONS`."""
    parser.usage = USAGE
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "selection",
        metavar="SELECTION|ACTION",
        help="what to backfill, or status / cancel / pause / unpause / transform",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="backfill ids (status, cancel, ...)")
    when = parser.add_argument_group("backfill a selection")
    when.add_argument(
        "--from", dest="date_from", metavar="DATE", help="first day (or ISO datetime), UTC"
    )
    when.add_argument("--to", dest="date_to", metavar="DATE", help="last day, included")
    when.add_argument(
        "--reprocess",
        choices=["none", "failed", "completed"],
        default="none",
        help="rerun existing runs: none (default), the failed ones, or all completed ones",
    )
    when.add_argument("--max-active-runs", type=int, default=2, help="runs at once (2)")
    when.add_argument("--run-backwards", action="store_true", help="newest interval first")
    when.add_argument("--dry-run", action="store_true", help="list the runs, create nothing")
    when.add_argument("--no-wait", dest="wait", action="store_false", help="return at once")
    when.add_argument("--unpause", action="store_true", help="unpause a paused DAG first")
    when.add_argument("--registry", default=None, help="path of sources.yaml")
    dbt = parser.add_argument_group("transform")
    dbt.add_argument("--select", help="dbt selector, checked against the manifest")
    dbt.add_argument("--full-refresh", action="store_true", help="dbt build --full-refresh")
    follow_ = parser.add_argument_group("status and transform")
    follow_.add_argument("--wait", dest="follow", action="store_true", help="follow to the end")
    group = parser.add_argument_group("Airflow")
    group.add_argument("--url", help=f"Airflow base URL (default: ${URL_ENV}, else local)")
    group.add_argument("--token", help=f"API bearer token (default: ${TOKEN_ENV})")
    group.add_argument("--username", help=f"user for /auth/token (default: ${USERNAME_ENV})")
    group.add_argument("--password", help=f"its password (default: ${PASSWORD_ENV})")
    group.add_argument("--poll", type=float, default=2.0, help="seconds between progress polls (2)")


def register(sub) -> None:
    """Add ``olp backfill`` to the ``olp`` command."""
    parser = sub.add_parser(
        "backfill", help="backfill sources, DAGs or Assets over dates; status, cancel; transform"
    )
    add_arguments(parser)
    parser.set_defaults(func=dispatch)


def dispatch(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    action = args.selection if args.selection in ACTIONS else "run"
    try:
        if action == "run":
            if args.ids or not (args.date_from and args.date_to):
                raise BackfillRefused(
                    "a backfill takes one SELECTION and both --from and --to, e.g. "
                    "`olp backfill tracking_logs --from 2024-11-24 --to 2024-11-26`"
                )
            return run_backfill(args, out)
        if action == "transform":
            if not args.select:
                raise BackfillRefused("`olp backfill transform` needs --select <dbt selector>")
            return run_transform(args, out)
        args.ids = _ids(args.ids, action)
        if action == "status":
            return run_status(args, out)
        args.action = action
        return run_control(args, out)
    except argparse.ArgumentTypeError as exc:
        print(f"olp backfill: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except BackfillRefused as exc:
        print(f"olp backfill: refused: {mask(str(exc))}", file=sys.stderr)
        return EXIT_REFUSED
    except AirflowAccessError as exc:
        print(f"olp backfill: {mask(str(exc))}", file=sys.stderr)
        return EXIT_REFUSED


def main(argv: list[str], out: TextIO = sys.stdout) -> int:
    """``olp backfill`` on its own (tests, scripts)."""
    parser = argparse.ArgumentParser(prog="olp backfill")
    add_arguments(parser)
    return dispatch(parser.parse_args(argv), out)
