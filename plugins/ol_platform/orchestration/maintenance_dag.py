"""The ``lake_maintenance`` DAG: daily Iceberg maintenance of every lake namespace.

One DAG with one task per namespace, all independent::

    maintain__raw   maintain__staging   maintain__intermediate   maintain__dimensional
    maintain__mart   maintain__reporting

One DAG rather than one per namespace: the namespaces share a schedule and a policy, a failing
namespace still fails only its own task, and the UI shows the lake's maintenance in one grid.
Each task compacts small files, expires snapshots and removes orphan files of every table in
``ol_warehouse_<env>_<layer>`` (``ol_platform.lake.maintenance``): through Trino's Iceberg
procedures on ``trino_default`` in qa and production, through pyiceberg locally and in CI.
It logs one line per table and emits the namespace's Asset
``olp-maintenance://ol-lake/<namespace>``, whose extra holds each table's report (snapshots
expired, orphan files removed, data files and bytes before and after). The Asset is per
namespace, not per table: the tables' own Assets schedule the transform, which maintenance
(no new data) must not trigger. A table that fails does not stop the others; the task then
fails listing it. Settings: ``OLP_MAINTENANCE_*`` (see ``MaintenancePolicy.from_env``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, task

from ol_platform.lake.naming import namespace
from ol_platform.orchestration.defaults import default_args
from ol_platform.settings import Settings
from ol_platform.sources.models import Tag

DAG_ID = "lake_maintenance"
# The raw lake and every dbt layer (the transform's layers plus staging).
LAYERS = ("raw", "staging", "intermediate", "dimensional", "mart", "reporting")
# After the daily loads (04:00) and their transforms; before the working day in Boston.
SCHEDULE = "0 7 * * *"
# Environments whose lake Trino serves, as for dbt; the others run pyiceberg.
TRINO_ENVS = ("qa", "production")


def maintenance_asset(table_namespace: str) -> Asset:
    return Asset(
        name=f"maintenance.{table_namespace}",
        uri=f"olp-maintenance://ol-lake/{table_namespace}",
    )


def engine_for(settings: Settings):
    """Trino where the lake is served by Trino, else pyiceberg on the local catalog."""
    if settings.env in TRINO_ENVS:
        from ol_platform.lake.trino_maintenance import TrinoMaintenance

        return TrinoMaintenance.from_connection()
    from ol_platform.lake.catalog import get_catalog
    from ol_platform.lake.local_maintenance import PyIcebergMaintenance

    return PyIcebergMaintenance(get_catalog(settings))


@task
def maintain_namespace(layer: str, **context: Any) -> dict[str, Any]:
    """Maintain every table of the layer's namespace; report per table."""
    from ol_platform.lake.maintenance import MaintenancePolicy, run_namespace
    from ol_platform.settings import get_settings

    settings = get_settings()
    table_namespace = namespace(settings.env, layer)
    report = run_namespace(engine_for(settings), table_namespace, MaintenancePolicy.from_env())
    context["outlet_events"][maintenance_asset(table_namespace)].extra = report.as_extra()
    report.raise_for_failures()
    return {
        "tables": len(report.tables),
        "skipped": [t.table for t in report.skipped],
    }


def build_maintenance_dag(settings: Settings) -> DAG:
    with DAG(
        dag_id=DAG_ID,
        description="Iceberg maintenance: compaction, snapshot expiry, orphan files",
        doc_md=__doc__,
        schedule=SCHEDULE,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=not settings.is_production,
        tags=[Tag.MAINTENANCE],
        default_args=default_args(retries=1, timeout_minutes=180),
    ) as dag:
        for layer in LAYERS:
            outlet = maintenance_asset(namespace(settings.env, layer))
            maintain_namespace.override(task_id=f"maintain__{layer}", outlets=[outlet])(layer)
    return dag
