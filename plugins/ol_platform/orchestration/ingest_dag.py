"""Build the ``ingest__<source>`` DAG of one registry entry.

Shape of every ingest DAG::

    local / ci:      extract_load ─────────────────────► stage ──► publish_raw_tables (outlets)
    qa / production: sync__<connection> (deferrable) ──► stage ──► publish_raw_tables (outlets)

``stage`` is "sync and stage": a Cosmos ``dbt build`` of the staging models that read this
source's raw tables (and their tests), emitting each staging table's Asset. Only then does
``publish_raw_tables`` check that every raw table the source promises exists and emit one
Asset event per table (``iceberg://ol-lake/<namespace>/<table>``, extra: rows), which
schedules the transform DAG: it never reads staging that is older than the raw data.
Nothing here touches the network or a database at parse time.
"""

from __future__ import annotations

import logging
import warnings

from airflow.sdk import DAG, CronDataIntervalTimetable, get_parsing_context, task

from ol_platform.lake.assets import model_asset, raw_asset
from ol_platform.orchestration.broken_dag import START_DATE, build_broken_dag
from ol_platform.orchestration.defaults import default_args
from ol_platform.settings import Settings, SettingsError, get_settings
from ol_platform.sources.models import INGEST_PREFIX, Source, Tag, Transport
from ol_platform.sources.registry import RegistryError, load_registry, registry_path


def _doc(source: Source) -> str:
    tables = "\n".join(f"- `{t}`" for t in source.raw_table_names()) or "- (no raw tables)"
    backfill = (
        f"{source.backfill.mode.value} ({source.backfill.by})" if source.backfill else "snapshot"
    )
    return (
        f"### {source.title}\n\n{source.description}\n\n"
        f"Transport: **{source.transport.value}**, cadence **{source.cadence.value}**, "
        f"owner **{source.owner}**.\n\nBackfill: **{backfill}**.\n\nRaw tables:\n{tables}\n\n"
        "Defined in `include/sources.yaml`; built by `ol_platform.orchestration.ingest_dag`."
    )


def _registered(source_name: str, registry_path: str) -> Source:
    """The source as the registry has it now; an entry broken since the parse fails the task
    at once with the registry's message (a retry would read the same file)."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return load_registry(registry_path)[source_name]
    except (RegistryError, KeyError) as exc:
        raise AirflowFailException(str(exc).strip("\"'")) from exc


@task(task_id="extract_load")
def extract_load(source_name: str, registry_path: str, **context) -> dict[str, int]:
    """Feed the raw tables from the source's sample system (local and CI environments).

    A backfill run loads its data interval, and only from a source whose registry entry
    declares ``backfill: {mode: window}``; any other run loads what is new."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.ingest.loaders import LoaderNotImplementedError, run_local_loader
    from ol_platform.ingest.window import SnapshotBackfillError, backfill_window
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.settings import SampleDataRefused

    source = _registered(source_name, registry_path)
    settings = get_settings()
    try:
        window = backfill_window(source, context)
        if window is not None:
            logging.getLogger(__name__).info("backfill run: loading the data interval %s", window)
        results = run_local_loader(
            source,
            catalog=get_catalog(settings),
            settings=settings,
            resolve=BaseHook.get_connection,
            window=window,
        )
    except (LoaderNotImplementedError, SampleDataRefused, SnapshotBackfillError) as exc:
        raise AirflowFailException(str(exc)) from exc  # retrying cannot help
    return {r.table: r.rows_in_batch for r in results}


@task(task_id="publish_raw_tables")
def publish_raw_tables(source_name: str, registry_path: str, **context) -> dict[str, int]:
    """Check every promised raw table exists in the lake and annotate its Asset event."""
    from pyiceberg.exceptions import NoSuchTableError

    from ol_platform.lake.catalog import get_catalog
    from ol_platform.lake.naming import namespace
    from ol_platform.lake.writer import row_count

    source = _registered(source_name, registry_path)
    settings = get_settings()
    catalog = get_catalog(settings)
    counts, missing = {}, []
    for table in source.raw_table_names():
        try:
            counts[table] = row_count(catalog.load_table(f"{namespace(settings.env)}.{table}"))
        except NoSuchTableError:
            missing.append(table)
    if missing:
        raise RuntimeError(
            f"source '{source_name}': raw table(s) missing from namespace "
            f"{namespace(settings.env)} after the load: {', '.join(missing)}"
        )
    for table, rows in counts.items():
        context["outlet_events"][raw_asset(settings.env, table)].extra = {"rows": rows}
    return counts


def ingest_timetable(source: Source) -> CronDataIntervalTimetable:
    """The cadence's cron, each run's data interval one cadence from its logical date.

    A bare cron string gives a run an empty data interval (start == end) in Airflow 3, which a
    backfill could not turn into a window of data to load; with data intervals a backfill of
    ``--from 2024-11-24`` starts with the interval beginning then.
    """
    return CronDataIntervalTimetable(source.schedule, timezone="UTC")


def build_ingest_dag(source: Source, settings: Settings, registry_path: str) -> DAG:
    outlets = [raw_asset(settings.env, t) for t in source.raw_table_names()]
    with DAG(
        dag_id=source.dag_id,
        description=source.title,
        doc_md=_doc(source),
        schedule=ingest_timetable(source),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=not settings.is_production,
        tags=source.all_tags,
        default_args=default_args(source.owner, source.retries, source.timeout_minutes),
    ) as dag:
        publish = publish_raw_tables.override(outlets=outlets)(source.name, registry_path)
        stage = stage_task(source, settings)
        if stage is not None:
            stage >> publish
        after_load = stage if stage is not None else publish
        if settings.uses_samples or source.transport is not Transport.AIRBYTE:
            extract_load(source.name, registry_path) >> after_load
        else:
            from ol_platform.ingest.airbyte import AirbyteSyncOperator

            assert source.airbyte is not None
            for name in source.airbyte.connections:
                (
                    AirbyteSyncOperator(
                        task_id=f"sync__{name}",
                        connection_name=name,
                        source=source.name,
                        airbyte_conn_id=source.airbyte.airflow_conn_id,
                        timeout_minutes=source.airbyte.timeout_minutes,
                    )
                    >> after_load
                )
    return dag


def stage_task(source: Source, settings: Settings):
    """The Cosmos ``dbt build`` of the source's staging models, or None if it has none."""
    from ol_platform.transform.project import ManifestMissingError, load_graph

    try:
        graph = load_graph()
        layers = {m.name: m.layer for m in graph.models}
        models = graph.staging_models_of(source.raw_table_names())
    except ManifestMissingError as exc:
        warnings.warn(f"{source.dag_id}: no staging step: {exc}", stacklevel=2)
        return None
    if not models:
        return None
    from ol_platform.transform.cosmos_config import build_operator, render_mode

    if render_mode() == "models":
        from airflow.sdk import AssetAlias, TaskGroup

        from ol_platform.transform.model_tasks import add_model_tasks, alias_name

        wanted = set(models)
        with TaskGroup(group_id="stage", tooltip="dbt build of this source's staging") as group:
            add_model_tasks(
                graph=graph,
                models=[m for m in graph.models if m.name in wanted],
                asset_of={m: model_asset(settings.env, layers[m], m) for m in models},
                alias=AssetAlias(alias_name(source.dag_id)),
                cautious=True,
            )
        return group

    return build_operator(
        task_id="stage",
        select=models,
        settings=settings,
        outlets=[model_asset(settings.env, layers[m], m) for m in models],
        # Only tests whose parents are all in this build: a relationship to another source's
        # staging runs when both exist (in the transform DAG or a full `dbt build`).
        indirect_selection="cautious",
    )


def build_ingest_dags() -> dict[str, DAG]:
    """Every ingest DAG of the registry, plus one failing DAG per broken entry.

    Course exports are not here (``export_dags``). An unknown ``OLP_ENV`` or an unreadable
    registry gives one failing DAG with the message instead of an import error.
    """
    try:
        settings = get_settings()
    except SettingsError as exc:
        dag_id = f"{INGEST_PREFIX}broken__settings"
        return {dag_id: build_broken_dag(dag_id, str(exc), Tag.INGEST.value)}
    path = registry_path()
    registry = load_registry(path)
    sources = registry.ingest_sources()
    # A task process needs only its own DAG: building all of them cost each ingest task about
    # a second of CPU (more under load) before it ran a line of its own.
    wanted = get_parsing_context().dag_id
    if any(s.dag_id == wanted for s in sources):
        sources = [s for s in sources if s.dag_id == wanted]
    dags = {s.dag_id: build_ingest_dag(s, settings, str(path)) for s in sources}
    for broken in registry.broken:
        if broken.kind in ("ingest", "registry"):
            dag_id = f"{INGEST_PREFIX}{broken.key}"
            dags[dag_id] = build_broken_dag(dag_id, broken.message, Tag.INGEST.value)
    return dags
