"""The ``transform`` DAG: the dbt project rendered by Cosmos, one task per model.

Scheduled on the raw-table Assets the project reads (any of them updating starts a run);
every model task emits the Asset of the table it builds,
``iceberg://ol-lake/<target schema>_<layer>/<model>``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, AssetAny

from ol_platform.lake.assets import raw_asset, table_asset
from ol_platform.lake.naming import warehouse_schema
from ol_platform.orchestration.callbacks import on_task_failure
from ol_platform.settings import Settings
from ol_platform.transform.project import load_graph

DAG_ID = "transform"


def model_asset(settings: Settings, model_name: str, layer: str):
    return table_asset(f"{warehouse_schema(settings.env)}_{layer}", model_name)


def build_transform_dag(settings: Settings, load_method: str = "dbt_manifest") -> DAG:
    """``load_method``: a Cosmos ``LoadMode`` value; only benchmarks use another."""
    from cosmos import DbtTaskGroup

    from ol_platform.transform.cosmos_config import (
        execution_config,
        operator_args,
        profile_config,
        project_config,
        render_config,
    )

    graph = load_graph()
    with DAG(
        dag_id=DAG_ID,
        description="dbt models on the raw lake, rendered by Cosmos",
        doc_md=__doc__,
        schedule=AssetAny(*(raw_asset(settings.env, t) for t in graph.source_tables)),
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=not settings.is_production,
        tags=["transform", "dbt"],
        default_args={
            "owner": "data-platform",
            "retries": 1,
            "retry_delay": timedelta(minutes=2),
            "on_failure_callback": on_task_failure,
        },
    ) as dag:
        group = DbtTaskGroup(
            group_id="dbt",
            project_config=project_config(),
            profile_config=profile_config(settings),
            execution_config=execution_config(),
            render_config=render_config(load_method=load_method),
            operator_args=operator_args(settings),
        )
        attach_model_assets(group, settings, graph)
    return dag


def attach_model_assets(group, settings: Settings, graph) -> None:
    """Give each model's task the Asset of the table it builds."""
    layers = {m.name: m.layer for m in graph.models}
    for task_id, task in group.children.items():
        # Cosmos names a model's task "<group>.<model>_model_build" (TestBehavior.BUILD).
        name = task_id.split(".")[-1].removesuffix("_build").removesuffix("_model")
        if name in layers:
            task.outlets = [model_asset(settings, name, layers[name])]
