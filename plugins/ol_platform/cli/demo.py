"""``olp demo``: the whole chain on one machine, under a real Airflow, with no server to set up.

Generates the sample systems, starts an embedded Airflow, runs the ingest DAGs of the slice,
waits for the transform DAG their Assets trigger, prints a summary (rows per raw table, models
built, run states, the UI address) and writes it to ``$OLP_HOME/demo-summary.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyiceberg.exceptions import NoSuchTableError

from ol_platform.cli.airflow_api import TERMINAL, AirflowAPI
from ol_platform.cli.embedded_airflow import (
    EmbeddedAirflow,
    refuse_if_running,
    stop_on_signals,
)
from ol_platform.cli.failed_tries import collect_failed_tries, render_failed_tries
from ol_platform.cli.progress import RunProgress, Steps, say
from ol_platform.lake.catalog import check_lake_location, get_catalog
from ol_platform.lake.naming import namespace, warehouse_schema
from ol_platform.lake.writer import row_count
from ol_platform.orchestration.catalog_dag import DAG_ID as CATALOG_DAG_ID
from ol_platform.orchestration.export_dags import export_sources
from ol_platform.orchestration.transform_dag import DAG_ID as TRANSFORM_DAG_ID
from ol_platform.orchestration.webhook_dag import DAG_ID as WEBHOOK_DAG_ID
from ol_platform.samples.systems import runnable_sources, sample_systems
from ol_platform.settings import Settings
from ol_platform.sources.registry import load_registry
from ol_platform.transform.artifacts import artifacts_root
from ol_platform.transform.project import load_graph

log = logging.getLogger(__name__)

# After the course exports (one DAG per export entry of the registry).
DOWNSTREAM_DAGS = ("mit_learn_webhooks", "openmetadata_ingestion")


@dataclass
class Summary:
    ui: str
    ok: bool = False
    wall_seconds: float = 0.0
    runs: dict[str, list[dict]] = field(default_factory=dict)
    raw_tables: dict[str, int] = field(default_factory=dict)
    models: dict[str, dict] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)  # dbt test status -> count
    archives: dict[str, int] = field(default_factory=dict)  # landed per export source
    webhooks_acknowledged: int = 0
    catalog: dict[str, str] = field(default_factory=dict)  # OpenMetadata step -> outcome
    # Asset-triggered hops: seconds from the newest triggering Asset event to the run's start.
    hops: dict[str, list[float]] = field(default_factory=dict)
    # Every try that failed, a retried one that later passed included (FailedTry.as_dict).
    failed_tries: list[dict] = field(default_factory=list)

    def render(self) -> str:
        verdict = "SUCCESS" if self.ok else "FAILED"
        if self.failed_tries:
            verdict += f" ({len(self.failed_tries)} failed tries, listed below)"
        lines = [f"OL platform demo: {verdict} in {self.wall_seconds:.0f}s"]
        lines.append("\nDAG runs:")
        for dag_id, runs in self.runs.items():
            for r in runs:
                lines.append(f"  {dag_id:<28} {r['run_type']:<16} {r['state']:<8} {r['run_id']}")
        lines.append("\nRaw tables (rows):")
        lines += [f"  {t:<62} {n:>8}" for t, n in self.raw_tables.items()]
        lines.append("\nModels (state, rows):")
        lines += [
            f"  {m:<62} {v['state'] or '-':<8} {v['rows'] if v['rows'] is not None else '-':>8}"
            for m, v in self.models.items()
        ]
        lines.append(f"\nCourse archives landed: {self.archives}")
        lines.append(
            f"MIT Learn webhooks acknowledged by the receiver: {self.webhooks_acknowledged}"
        )
        lines.append(f"OpenMetadata: {self.catalog}")
        if self.hops:
            lines.append("\nAsset-triggered hops (event -> run start, seconds):")
            lines += [f"  {d:<28} {', '.join(f'{x:.1f}' for x in v)}" for d, v in self.hops.items()]
        built = sum(1 for v in self.models.values() if v["state"] == "success")
        lines.append(f"\ndbt: {built}/{len(self.models)} models built; tests: {self.tests}")
        lines.append("")
        lines += render_failed_tries(self.failed_tries)
        lines.append(f"\nAirflow UI of this run: {self.ui}")
        return "\n".join(lines)


def _lake_rows(catalog, identifier: str) -> int | None:
    try:
        return row_count(catalog.load_table(identifier))
    except NoSuchTableError:
        return None


def latest_dbt_results(root: str) -> dict[str, str]:
    """unique_id -> status from every dbt run of every DAG, the newest result winning.

    Every run counts, not only each DAG's latest: a transform run builds only what its
    triggering raw tables feed, and a model retried alone writes a run of its own.
    """
    runs = []
    for path in Path(root).glob("*/*/*/run_results.json"):
        data = json.loads(path.read_text())
        runs.append((data["metadata"]["generated_at"], data["results"]))
    statuses: dict[str, str] = {}
    for _, results in sorted(runs, key=lambda r: r[0]):
        statuses.update({r["unique_id"]: r["status"] for r in results})
    return statuses


def asset_hops(api: AirflowAPI, runs: dict[str, list[dict]]) -> dict[str, list[float]]:
    """For every asset-triggered run: its start minus its newest triggering event's time."""
    from datetime import datetime

    hops: dict[str, list[float]] = {}
    for dag_id, dag_runs in runs.items():
        for run in dag_runs:
            if run["run_type"] != "asset_triggered" or not run.get("start_date"):
                continue
            events = api.upstream_asset_events(dag_id, run["run_id"])
            if not events:
                continue
            newest = max(datetime.fromisoformat(e["timestamp"]) for e in events)
            started = datetime.fromisoformat(run["start_date"])
            hops.setdefault(dag_id, []).append((started - newest).total_seconds())
    return hops


def collect_downstream(settings: Settings, api: AirflowAPI, summary: Summary, catalog) -> None:
    """Archives landed, webhooks acknowledged (the delivery ledger) and OpenMetadata's outcome."""
    from ol_platform.webhooks.ledger import ledger_identifier

    for source in export_sources():
        landed = 0
        for run in summary.runs.get(source.dag_id, []):
            result = api.xcom(source.dag_id, run["run_id"], "export_courses") or {}
            landed += int(result.get("archives", 0))
        summary.archives[source.name] = landed
    summary.webhooks_acknowledged = _lake_rows(catalog, ledger_identifier(settings.env)) or 0
    runs = summary.runs.get(CATALOG_DAG_ID, [])
    if runs:
        for task_id in (
            "upload_dbt_artifacts",
            "ingest_metadata",
            "ingest_dbt_lineage",
            "classify_pii",
        ):
            result = api.xcom(CATALOG_DAG_ID, runs[-1]["run_id"], task_id) or {}
            summary.catalog[task_id] = str(result.get("status", "-")).split(":")[0]


def collect_summary(settings: Settings, api: AirflowAPI, summary: Summary) -> Summary:
    registry = load_registry()
    catalog = get_catalog(settings)
    sources = runnable_sources(registry)
    # Every registry table is listed; one whose source cannot run locally shows 0 and fails.
    for name in registry.sources:
        for table in registry[name].raw_table_names():
            summary.raw_tables[table] = (
                _lake_rows(catalog, f"{namespace(settings.env)}.{table}") or 0
            )
    exports = [s.dag_id for s in export_sources(registry)]
    for dag_id in [registry[n].dag_id for n in sources] + [
        TRANSFORM_DAG_ID,
        *exports,
        *DOWNSTREAM_DAGS,
    ]:
        summary.runs[dag_id] = [
            {
                "run_id": r["dag_run_id"],
                "run_type": r["run_type"],
                "state": r["state"],
                "start_date": r.get("start_date"),
            }
            for r in api.runs(dag_id)
        ]
    transform_runs = summary.runs[TRANSFORM_DAG_ID]
    summary.hops = asset_hops(api, summary.runs)
    # What dbt itself reported: the latest run_results of every DAG that ran dbt.
    results = latest_dbt_results(artifacts_root(settings))
    for model in load_graph().models:
        identifier = f"{warehouse_schema(settings.env)}_{model.layer}.{model.name}"
        summary.models[model.name] = {
            "state": results.get(f"model.ol_dbt.{model.name}"),
            "rows": _lake_rows(catalog, identifier),
        }
    tests = [status for uid, status in results.items() if uid.startswith("test.")]
    summary.tests = {s: tests.count(s) for s in sorted(set(tests))}
    collect_downstream(settings, api, summary, catalog)
    summary.failed_tries = [t.as_dict() for t in collect_failed_tries(api, set(summary.runs))]
    all_runs = [r for runs in summary.runs.values() for r in runs]
    summary.ok = (
        bool(transform_runs)
        and all(r["state"] == "success" for r in all_runs)
        and all(n > 0 for n in summary.raw_tables.values())
        and all(m["state"] == "success" for m in summary.models.values())
        and set(summary.tests) <= {"pass"}
        and sum(summary.archives.values()) > 0
        and summary.webhooks_acknowledged
        == sum(n for source, n in summary.archives.items() if source != "mitx")
        and set(summary.catalog.values()) <= {"skipped", "succeeded", "uploaded"}
    )
    return summary


def start_dags(api: AirflowAPI, dag_ids: list[str]) -> None:
    """Unpause DAGs together; trigger only those the scheduler will not start by itself.

    With ``catchup=False`` unpausing makes the scheduler run the latest schedule interval at
    once when that interval is due (``next_dagrun_run_after`` has passed); triggering on top
    would queue the same load twice. A DAG that already ran that interval (a second demo)
    gets a manual run. Deciding from the DAG's next run rather than waiting a while for one
    to appear holds on a loaded machine, where the scheduler may take longer than any wait.
    """
    now = datetime.now(UTC)
    manual = []
    for dag_id in dag_ids:
        due = api.get(f"/dags/{dag_id}").get("next_dagrun_run_after")
        if due is None or datetime.fromisoformat(due) > now:
            manual.append(dag_id)
    for dag_id in dag_ids:
        api.unpause(dag_id)
    for dag_id in manual:
        log.info(
            "%s: its latest interval already ran; triggered run %s", dag_id, api.trigger(dag_id)
        )


def pause_when_settled(
    api: AirflowAPI,
    dag_ids: list[str],
    on_poll: Callable[[], None] | None = None,
    timeout: float = 1800,
    interval: float = 5,
) -> None:
    """Pause each DAG as soon as its runs have ended: one pass per source, since a 10-minute
    cadence would otherwise start another run (and another transform) mid-demo. A DAG on a
    time schedule starts no run by itself once paused, so none needs a quiet period.

    One call reads every waiting DAG's runs, every ``interval`` seconds: the demo shares two
    cores with Airflow, and polling each DAG every 2 s cost the API server and this process
    about a fifth of the demo's CPU."""
    waiting = list(dag_ids)
    deadline = time.monotonic() + timeout
    while waiting:
        api.check()
        if on_poll:
            on_poll()
        for dag_id, runs in api.runs_of(waiting).items():
            if runs and all(r["state"] in TERMINAL for r in runs):
                api.pause(dag_id)
                waiting.remove(dag_id)
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{', '.join(waiting)} did not finish within {timeout:.0f}s: read their runs' "
                f"task logs in the Airflow UI ({api.base_url}; after the demo, `uv run olp up`)"
            )
        time.sleep(interval)


@contextlib.contextmanager
def live_demo(
    settings: Settings,
    *,
    port: int | None = None,
    db_url: str | None = None,
    steps: Steps | None = None,
) -> Iterator[tuple[Summary, EmbeddedAirflow]]:
    """Run the whole chain, then yield its summary with Airflow still up; stop it on exit.

    ``olp demo --keep-running`` and the end-to-end tests (which look at the live UI in a
    browser) both need the demo's Airflow after the chain has finished. Any stop signal
    (Ctrl-C, SIGTERM, a closed terminal) stops Airflow before it propagates as
    :class:`Interrupted`.
    """
    started = time.monotonic()
    steps = steps or Steps()
    load_graph()  # fail fast, with instructions, if the dbt manifest was not built
    refuse_if_running(settings)
    check_lake_location(settings)  # a moved state folder: refused before anything starts
    registry = load_registry()
    with stop_on_signals():
        steps(f"generating the sample systems in {settings.samples_dir}")
        with sample_systems(settings, registry) as connections:
            kwargs = {"port": port} if port else {}
            airflow = EmbeddedAirflow(
                settings,
                connections=connections,
                db_url=db_url,
                **kwargs,
            )
            summary = Summary(ui=airflow.url)
            try:
                try:
                    airflow.start(progress=steps)
                    steps(f"Airflow is up at {airflow.url}")
                    api = AirflowAPI(airflow.url, watch=airflow.raise_if_unwell)
                    _run_chain(api, registry, steps)
                    steps("collecting the summary")
                    collect_summary(settings, api, summary)
                finally:
                    summary.wall_seconds = time.monotonic() - started
                    settings.home.mkdir(parents=True, exist_ok=True)
                    (settings.home / "demo-summary.json").write_text(
                        json.dumps(asdict(summary), indent=2)
                    )
                yield summary, airflow
            finally:
                steps("stopping Airflow")
                airflow.stop()


def run_demo(
    settings: Settings,
    *,
    keep_running: bool = False,
    port: int | None = None,
    db_url: str | None = None,
    steps: Steps | None = None,
) -> Summary:
    with live_demo(settings, port=port, db_url=db_url, steps=steps) as (summary, airflow):
        if keep_running and summary.ok:
            say(summary.render())
            say(f"\nAirflow keeps running at {airflow.url}; Ctrl-C stops it.")
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    return summary


def _run_chain(api: AirflowAPI, registry, steps: Steps) -> None:
    """Every DAG of the chain in order, reporting runs and rows while it waits."""
    ingest_ids = [registry[n].dag_id for n in runnable_sources(registry)]
    export_ids = [s.dag_id for s in export_sources(registry)]
    every = [*ingest_ids, TRANSFORM_DAG_ID, *export_ids, *DOWNSTREAM_DAGS]
    steps(f"waiting for the DAG processor to parse {len(every)} DAGs")
    parsed = _ParseProgress(steps, len(every))
    api.wait_for_dags(every, on_poll=parsed)
    progress = RunProgress(api, steps)
    # Asset-triggered DAGs first, so they see every event of this demo.
    for dag_id in (TRANSFORM_DAG_ID, WEBHOOK_DAG_ID, CATALOG_DAG_ID):
        api.unpause(dag_id)
    steps(f"starting {len(ingest_ids)} ingest DAGs (each loads its source, then stages it)")
    start_dags(api, ingest_ids)
    progress.track([*ingest_ids, TRANSFORM_DAG_ID])
    settle(api, ingest_ids, (), steps, on_poll=progress.tick)
    steps("ingest done")
    # The reverse path: the exports' archives trigger the webhooks, and each Open edX
    # export's course structure the transform again. Once the ingest DAGs are done, so the
    # webhook runs do not queue behind ingest tasks for a worker slot; not after the
    # transform runs the ingest triggered, so the course structures join the next one.
    steps(f"starting {len(export_ids)} course exports (their Assets trigger the webhooks)")
    start_dags(api, export_ids)
    progress.track([*export_ids, *DOWNSTREAM_DAGS])
    settle(api, export_ids, (TRANSFORM_DAG_ID, *DOWNSTREAM_DAGS), steps, on_poll=progress.tick)
    progress.poll()


def settle(
    api: AirflowAPI,
    sources: list[str],
    downstream: tuple[str, ...],
    steps: Steps,
    on_poll: Callable[[], None] | None = None,
) -> None:
    """Pause each source DAG once its runs have ended and wait for the runs their Assets
    trigger; then make sure no source holds a run it never finished. The scheduler can
    create a run on a time schedule while the DAG is being paused (its check and the pause
    race), and a paused DAG never starts it: such a DAG is unpaused until that run ends too."""
    pending = list(sources)
    while pending:
        pause_when_settled(api, pending, on_poll=on_poll)
        if downstream:
            steps("sources done; waiting for the runs their Assets triggered")
        for dag_id in downstream:
            api.wait_until_settled(dag_id, on_poll=on_poll)
        pending = [
            d
            for d, runs in api.runs_of(sources).items()
            if any(r["state"] not in TERMINAL for r in runs)
        ]
        for dag_id in pending:
            steps(f"{dag_id}: its schedule started a run as it was paused; running it too")
            api.unpause(dag_id)


class _ParseProgress:
    """Prints how many DAGs are parsed whenever the number changes."""

    def __init__(self, steps: Steps, total: int) -> None:
        self.steps, self.total, self.last = steps, total, -1

    def __call__(self, missing: set[str]) -> None:
        done = self.total - len(missing)
        if done != self.last:
            self.last = done
            self.steps(f"parsed {done}/{self.total} DAGs")
