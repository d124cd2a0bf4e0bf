"""The ``openmetadata_ingestion`` DAG: the warehouse and its dbt lineage into OpenMetadata.

Scheduled on ``AssetAny`` of the dimensional and mart models' Assets, which the transform DAG
emits when a build succeeds (``iceberg://ol-lake/<schema>_<layer>/<model>``)::

    upload_dbt_artifacts ──► ingest_metadata ──┬─► ingest_dbt_lineage
                                               └─► classify_pii

1. ``upload_dbt_artifacts``: the transform build's ``manifest.json`` and ``catalog.json`` to
   ``OLP_DBT_ARTIFACTS_S3`` when changed (MD5 against the object), its ``run_results.json`` to
   ``runs/<dbt invocation id>/`` (``ol_platform.catalog.artifacts_upload``).
2. ``ingest_metadata``: OpenMetadata's metadata workflow over Trino (warehouse layer schemas
   and the raw lake).
3. ``ingest_dbt_lineage``: the dbt workflow over those S3 artifacts, after the tables exist:
   models, column types and descriptions (``catalog.json``), tests, lineage, and the PII tags
   the models declare.
4. ``classify_pii``: OpenMetadata's auto-classification over the same schemas, tagging
   personal columns the models did not declare.

The workflows run only when the Airflow connection ``openmetadata`` exists; without it the
tasks build and validate the configs and report ``skipped: no OpenMetadata connection``
(``ol_platform.catalog.workflows``). Nothing is imported from openmetadata-ingestion at parse
time (it takes ~20 s); the tasks import it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, AssetAny, task

from ol_platform.lake.assets import model_asset
from ol_platform.orchestration.defaults import default_args, set_asset_schedule
from ol_platform.orchestration.transform_dag import DAG_ID as TRANSFORM_DAG_ID
from ol_platform.settings import Settings
from ol_platform.transform.project import load_graph

DAG_ID = "openmetadata_ingestion"
TRIGGER_LAYERS = ("dimensional", "mart")


def _resolve(conn_id: str):
    """The Airflow connection, or None when it is not configured."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def _artifacts_target():
    import os

    from ol_platform.catalog.artifacts_upload import (
        ARTIFACTS_CONN_ENV,
        ARTIFACTS_URL_ENV,
        DEFAULT_CONN_ID,
        artifacts_target,
    )

    if not os.environ.get(ARTIFACTS_URL_ENV):
        return None
    return artifacts_target(conn=_resolve(os.environ.get(ARTIFACTS_CONN_ENV, DEFAULT_CONN_ID)))


@task(task_id="upload_dbt_artifacts")
def upload_dbt_artifacts(source_dag_id: str = TRANSFORM_DAG_ID) -> dict[str, Any]:
    """Upload the latest dbt artifacts of ``source_dag_id``; skipped when no bucket is set."""
    import logging

    from ol_platform.catalog.artifacts_upload import ARTIFACTS_URL_ENV, upload_artifacts
    from ol_platform.settings import get_settings
    from ol_platform.transform.artifacts import artifacts_root

    settings = get_settings()
    target = _artifacts_target()
    if target is None:
        if settings.is_production:
            raise ValueError(f"{ARTIFACTS_URL_ENV} must be set in production")
        status = f"skipped: {ARTIFACTS_URL_ENV} is not set"
        logging.getLogger(__name__).info("dbt artifacts upload %s", status)
        return {"status": status}
    local = f"{artifacts_root(settings).rstrip('/')}/{source_dag_id}/latest"
    return {"status": "uploaded"} | upload_artifacts(local, target).as_dict()


@task(task_id="ingest_metadata")
def ingest_metadata() -> dict[str, Any]:
    """OpenMetadata's metadata workflow over Trino (skipped without an OpenMetadata connection)."""
    from ol_platform.catalog.workflows import ingest
    from ol_platform.settings import get_settings

    return ingest("metadata", get_settings().env, _resolve, _artifacts_target())


@task(task_id="ingest_dbt_lineage")
def ingest_dbt_lineage() -> dict[str, Any]:
    """OpenMetadata's dbt workflow over the uploaded artifacts (skipped likewise)."""
    from ol_platform.catalog.workflows import ingest
    from ol_platform.settings import get_settings

    return ingest("dbt", get_settings().env, _resolve, _artifacts_target())


@task(task_id="classify_pii")
def classify_pii() -> dict[str, Any]:
    """OpenMetadata's PII auto-classification over Trino (skipped likewise)."""
    from ol_platform.catalog.workflows import ingest
    from ol_platform.settings import get_settings

    return ingest("pii", get_settings().env, _resolve, _artifacts_target())


def build_catalog_dag(settings: Settings) -> DAG:
    models = load_graph().in_layers(TRIGGER_LAYERS)
    with DAG(
        dag_id=DAG_ID,
        description="dbt artifacts to S3, then OpenMetadata's Trino, dbt and PII workflows",
        doc_md=__doc__,
        schedule=None,  # set last, as in the transform DAG: an AssetAny slows every edge
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=not settings.is_production,
        tags=["dbt"],
        default_args=default_args(retries=2, timeout_minutes=120, max_retry_delay_minutes=20),
    ) as dag:
        upload_dbt_artifacts() >> ingest_metadata() >> [ingest_dbt_lineage(), classify_pii()]
    set_asset_schedule(dag, AssetAny(*(model_asset(settings.env, m.layer, m.name) for m in models)))
    return dag
