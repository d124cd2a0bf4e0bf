"""The course-export DAGs: ``course_export__<deployment>`` (Open edX) and ``course_export__canvas``,
one per ``transport: course_export`` entry of the registry, on the entry's cadence.

Each DAG has one task, ``export_courses``, whose outlet is ``export_asset(source)``
(``olp-landing://course-exports/<source>``). Its Asset event's extra lists the archives that
newly landed, ``{"archives": [{"source", "course_id", "course_readable_id", "content_path",
"sha256", ...}]}``, which schedules the MIT Learn webhook DAG. An unchanged course lands
nothing, and the list is then empty.

Connections: ``landing_bucket`` (see ``ol_platform.ingest.landing_bucket``),
``openedx_studio_<deployment>`` and ``canvas_api`` (see ``ol_platform.exports.openedx`` and
``ol_platform.exports.canvas``). A refused token fails the task without retries; a failed
export fails it with retries, and a retry exports only what has not landed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow.sdk import DAG, task

from ol_platform.exports.assets import export_asset
from ol_platform.orchestration.broken_dag import START_DATE, build_broken_dag
from ol_platform.orchestration.defaults import default_args
from ol_platform.settings import Settings, SettingsError, get_settings
from ol_platform.sources.models import EXPORT_PREFIX, Source, Tag
from ol_platform.sources.registry import Registry, load_registry, registry_path


@dataclass(frozen=True)
class ExportSource:
    """One export DAG: where the courses come from (``name``: the Open edX deployment, or
    ``canvas``) and how often, from the source's registry entry."""

    name: str
    title: str
    schedule: str
    tags: tuple[str, ...]
    timeout_minutes: int
    exporter: str  # openedx_export | canvas_export
    owner: str = "data-platform"
    retries: int = 2
    entry: Source | None = None  # the registry entry

    @property
    def dag_id(self) -> str:
        return f"{EXPORT_PREFIX}{self.name}"

    @classmethod
    def from_source(cls, source: Source) -> ExportSource:
        return cls(
            name=source.system,
            title=source.title,
            schedule=source.schedule,
            tags=tuple(source.all_tags),
            timeout_minutes=source.timeout_minutes,
            exporter=source.local.loader,
            owner=source.owner,
            retries=source.retries,
            entry=source,
        )


def export_sources(registry: Registry | None = None) -> list[ExportSource]:
    """The course exports of the registry (default: the configured one) that validate."""
    registry = registry or load_registry()
    return [ExportSource.from_source(s) for s in registry.export_sources()]


def _connections(*conn_ids: str) -> list:
    from airflow.sdk import BaseHook

    return [BaseHook.get_connection(c) for c in conn_ids]


def _emit(source: str, archives: list[dict], context: dict) -> dict:
    context["outlet_events"][export_asset(source)].extra = {"archives": archives}
    return {"archives": len(archives)}


@task(task_id="export_courses")
def export_openedx_courses(deployment: str, **context) -> dict:
    """Export the deployment's courses whose content changed; land them; announce them."""
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.exports.api import ExportAuthError
    from ol_platform.exports.openedx import conn_id, export_deployment
    from ol_platform.ingest.landing_bucket import landing_bucket

    studio, bucket = _connections(conn_id(deployment), "landing_bucket")
    try:
        run = export_deployment(deployment, studio=studio, bucket=landing_bucket(bucket))
    except ExportAuthError as exc:
        raise AirflowFailException(str(exc)) from exc  # a new token is needed, not a retry
    return _emit(deployment, run.archives, context) | {"changed": len(run.changed)}


@task(task_id="land_course_blocks")
def land_openedx_course_blocks(deployment: str, table: str) -> dict:
    """Land the course structure (blocks) of every landed export whose blocks are not in the
    lake yet: this run's exports, and any an earlier failed run left behind."""
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.exports.course_blocks import land_course_blocks
    from ol_platform.exports.landing import LandingArea
    from ol_platform.exports.ledger import ExportLedger
    from ol_platform.exports.openedx import prefix
    from ol_platform.ingest.landing_bucket import landing_bucket
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.lake.naming import namespace

    (bucket,) = _connections("landing_bucket")
    landing = LandingArea(landing_bucket(bucket))
    settings = get_settings()
    run = land_course_blocks(
        landing,
        ExportLedger.load(landing, prefix(deployment)),
        get_catalog(settings),
        f"{namespace(settings.env)}.{table}",
    )
    if run.failed:
        # Retrying reads the same bytes; the course's next export replaces the archive.
        raise AirflowFailException(
            f"{len(run.failed)} course export(s) could not be read as course structure "
            f"(the blocks of {len(run.courses)} other course(s) landed): " + "; ".join(run.failed)
        )
    return {"courses": len(run.courses), "rows": run.rows}


@task(task_id="export_courses")
def export_canvas_courses(**context) -> dict:
    """Export every published Canvas course; land the new cartridges; announce them."""
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.exports.api import ExportAuthError
    from ol_platform.exports.canvas import CONN_ID, export_canvas
    from ol_platform.ingest.landing_bucket import landing_bucket

    canvas, bucket = _connections(CONN_ID, "landing_bucket")
    try:
        run = export_canvas(canvas=canvas, bucket=landing_bucket(bucket))
    except ExportAuthError as exc:
        raise AirflowFailException(str(exc)) from exc
    return _emit("canvas", run.archives, context) | {"courses": run.courses}


def build_export_dag(source: ExportSource, settings: Settings) -> DAG:
    with DAG(
        dag_id=source.dag_id,
        description=source.title,
        doc_md=__doc__,
        schedule=source.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,  # one writer per export ledger
        is_paused_upon_creation=not settings.is_production,
        tags=sorted(source.tags),
        default_args=default_args(source.owner, source.retries, source.timeout_minutes),
    ) as dag:
        outlets = [export_asset(source.name)]
        if source.exporter == "canvas_export":
            export_canvas_courses.override(outlets=outlets)()
        else:
            exported = export_openedx_courses.override(outlets=outlets)(source.name)
            if source.entry is not None and source.entry.tables:
                _structure(exported, source.entry, settings)
    return dag


def _structure(exported: Any, entry: Source, settings: Settings) -> None:
    """export_courses ──► land_course_blocks ──► stage ──► publish_raw_tables, as an ingest
    DAG lands, stages and publishes its raw tables (here the one course-structure table the
    registry allows a course export)."""
    from ol_platform.lake.assets import raw_asset
    from ol_platform.orchestration.ingest_dag import publish_raw_tables, stage_task

    (table,) = entry.raw_table_names()
    landed = land_openedx_course_blocks(entry.system, table)
    publish = publish_raw_tables.override(outlets=[raw_asset(settings.env, table)])(
        entry.name, str(registry_path())
    )
    stage = stage_task(entry, settings)
    exported >> landed
    if stage is None:
        landed >> publish
    else:
        landed >> stage >> publish


def build_export_dags() -> dict[str, DAG]:
    """One DAG per course export of the registry; a broken entry gets one failing DAG here
    (never an ``ingest__`` one), as does an unreadable registry or an unknown ``OLP_ENV``."""
    tag = Tag.COURSE_EXPORT.value
    try:
        settings = get_settings()
    except SettingsError as exc:
        dag_id = f"{EXPORT_PREFIX}broken__settings"
        return {dag_id: build_broken_dag(dag_id, str(exc), tag)}
    registry = load_registry()
    dags = {s.dag_id: build_export_dag(s, settings) for s in export_sources(registry)}
    for broken in registry.broken:
        # The file's own problems are shown by the ingest DAG file, unless nothing loaded.
        if broken.kind == "course_export" or (broken.kind == "registry" and registry.fatal):
            dag_id = f"{EXPORT_PREFIX}{broken.key}"
            dags[dag_id] = build_broken_dag(dag_id, broken.message, tag)
    return dags
