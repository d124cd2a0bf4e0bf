"""The course-export DAGs: ``course_export__<deployment>`` (Open edX) and ``course_export__canvas``.

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

from airflow.sdk import DAG, task

from ol_platform.exports.assets import export_asset
from ol_platform.orchestration.defaults import default_args
from ol_platform.orchestration.ingest_dag import START_DATE
from ol_platform.settings import Settings
from ol_platform.sources.models import Cadence, Tag


@dataclass(frozen=True)
class ExportSource:
    """One export DAG: where the courses come from and how often."""

    name: str
    title: str
    schedule: str
    tags: tuple[Tag, ...]
    timeout_minutes: int
    owner: str = "data-platform"
    retries: int = 2

    @property
    def dag_id(self) -> str:
        return f"course_export__{self.name}"


EXPORT_SOURCES: tuple[ExportSource, ...] = (
    *(
        ExportSource(
            name=deployment,
            title=f"Open edX course exports ({deployment})",
            schedule=Cadence.DAILY.cron,
            tags=(Tag.COURSE_EXPORT, Tag.OPENEDX, Tag(deployment), Tag.CONTENT),
            timeout_minutes=12 * 60,  # 60 min at most per export, exports run in waves
        )
        for deployment in ("mitxonline", "xpro", "mitx")
    ),
    ExportSource(
        name="canvas",
        title="Canvas course exports (common cartridge)",
        schedule=Cadence.EVERY_6_HOURS.cron,
        tags=(Tag.COURSE_EXPORT, Tag.CANVAS, Tag.CONTENT),
        timeout_minutes=5 * 60,  # finished before the next run is due
    ),
)


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
        tags=sorted(t.value for t in source.tags),
        default_args=default_args(source.owner, source.retries, source.timeout_minutes),
    ) as dag:
        outlets = [export_asset(source.name)]
        if source.name == "canvas":
            export_canvas_courses.override(outlets=outlets)()
        else:
            export_openedx_courses.override(outlets=outlets)(source.name)
    return dag


def build_export_dags(settings: Settings) -> dict[str, DAG]:
    return {s.dag_id: build_export_dag(s, settings) for s in EXPORT_SOURCES}
