"""The ``transform`` DAG: the dbt layers above staging, run when a raw table they need changes.

Staging models run in each source's ingest DAG right after its load ("sync and stage"), before
it publishes the raw tables' Assets; this DAG is scheduled on ``AssetAny`` of the raw tables
its models depend on (directly or through staging) and builds the intermediate, dimensional,
mart and reporting layers. Each model's table is an Asset,
``iceberg://ol-lake/<target schema>_<layer>/<model>`` (e.g.
``iceberg://ol-lake/ol_warehouse_production_dimensional/dim_course_run``), emitted when the
model and its tests succeed.

After the build, ``dbt_docs`` writes the warehouse's ``catalog.json`` (column types) next to the
build's manifest and run_results, for OpenMetadata's dbt ingestion.

How the models become tasks is ``OLP_DBT_RENDER`` (see ``ol_platform.transform.cosmos_config``):
a task per model ended from the triggerer (``models``, see ``ol_platform.transform.model_tasks``),
one Cosmos ``dbt build`` task, or Cosmos's watcher task group.

In the ``models`` rendering the tasks of a project of more than ``MAX_MODELS_PER_DAG`` models
are spread over several DAGs (``transform``, ``transform__part_02``, ...), cut in dbt's order.
``transform`` alone is scheduled, and its one producer builds the whole run's selection; as it
starts, it starts a run of each other part with its own run id, and their model tasks report
its results. dbt starts once per landing and builds each model once, after what it reads.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import DAG, AssetAny

from ol_platform.lake.assets import model_asset, raw_asset
from ol_platform.orchestration.callbacks import on_task_failure
from ol_platform.orchestration.defaults import set_asset_schedule
from ol_platform.settings import Settings, SettingsError
from ol_platform.transform.project import Model, ProjectGraph, load_graph

DAG_ID = "transform"
TRANSFORM_LAYERS = ("intermediate", "dimensional", "mart", "reporting")
# dbt selects the layers by their schema config: path-independent, one selector per layer.
TRANSFORM_SELECT = [f"config.schema:{layer}" for layer in TRANSFORM_LAYERS]


# Above this many models the ``models`` rendering spreads the model tasks over several DAGs:
# the triggerer loads a model task's whole DAG to start its trigger (and Airflow's deserializes
# it twice), so starting every model task of one DAG grows with the square of its size
# (measured with Airflow's triggerer: all running after ~5 s at 100 tasks, ~28 s at 300,
# 150-164 s at 700).
MAX_MODELS_PER_DAG = 150
# Overrides it (a positive integer).
MODELS_PER_DAG_ENV = "OLP_TRANSFORM_MODELS_PER_DAG"


def models_per_dag() -> int:
    """The most model tasks per transform DAG: ``$OLP_TRANSFORM_MODELS_PER_DAG``, else
    :data:`MAX_MODELS_PER_DAG`."""
    raw = os.environ.get(MODELS_PER_DAG_ENV, "").strip()
    if not raw:
        return MAX_MODELS_PER_DAG
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{MODELS_PER_DAG_ENV}={raw[:40]!r}: expected a positive integer")
    return int(raw)


def transform_parts(models: list[Model], limit: int = MAX_MODELS_PER_DAG) -> list[list[Model]]:
    """``models`` in dbt's order, layer by layer, cut into parts of at most ``limit`` models.

    A model only reads models of its own part or of earlier ones, so each part's tasks are
    wired in the order dbt builds them.
    """
    from ol_platform.transform.run_plan import in_dbt_order

    order = {layer: i for i, layer in enumerate(TRANSFORM_LAYERS)}
    by_name = {m.name: m for m in models}
    ordered = in_dbt_order(sorted(models, key=lambda m: (order.get(m.layer, 99), m.name)), by_name)
    return [ordered[i : i + limit] for i in range(0, len(ordered), limit)] or [[]]


def part_dag_id(index: int, parts: int) -> str:
    """The first (or only) part keeps the ``transform`` id that the CLI and catalog know."""
    return DAG_ID if index == 0 or parts == 1 else f"{DAG_ID}__part_{index + 1:02d}"


def build_transform_dag(
    settings: Settings, load_method: str = "dbt_manifest", render: str | None = None
) -> DAG:
    """The ``transform`` DAG (the first part, when the project is split; see below)."""
    return build_transform_dags(settings, load_method, render)[0]


def build_transform_dags(
    settings: Settings,
    load_method: str = "dbt_manifest",
    render: str | None = None,
    limit: int | None = None,
) -> list[DAG]:
    """``load_method``: a Cosmos ``LoadMode`` value, for the watcher render; benchmarks vary it.

    In the ``models`` rendering a project of more than ``limit`` models (default:
    :func:`models_per_dag`) becomes several DAGs
    (:func:`transform_parts`): the first, ``transform``, is scheduled on the raw tables the
    models read through staging, and holds the producer of all of them and ``dbt_docs``; the
    others hold only model tasks, and run when that producer starts them.
    """
    from ol_platform.transform.cosmos_config import render_mode

    graph = load_graph()
    models = graph.in_layers(TRANSFORM_LAYERS)
    mode = render or render_mode()
    parts = transform_parts(models, limit or models_per_dag()) if mode == "models" else [models]
    tables = graph.upstream_source_tables([m.name for m in models])
    schedule = AssetAny(*(raw_asset(settings.env, t) for t in sorted(tables)))
    elsewhere = {part_dag_id(i, len(parts)): part for i, part in enumerate(parts) if i}
    root = _build_dag(
        settings,
        graph,
        parts[0],
        dag_id=DAG_ID,
        schedule=schedule,
        mode=mode,
        load_method=load_method,
        elsewhere=elsewhere,
    )
    return [root, *(_part_dag(settings, graph, part, i) for i, part in elsewhere.items())]


def _part_dag(settings: Settings, graph: ProjectGraph, models: list[Model], dag_id: str) -> DAG:
    """Model tasks only: ``transform``'s producer starts each run, with its own run's id."""
    from ol_platform.transform.model_tasks import add_part_tasks

    description = f"dbt models built by {DAG_ID}'s producer, which starts its runs"
    # Paused, its runs would wait in the queue while the producer builds their models.
    with _dag(dag_id, description, paused=False) as dag:
        add_part_tasks(
            graph=graph,
            models=models,
            asset_of={m.name: model_asset(settings.env, m.layer, m.name) for m in models},
            producer_dag_id=DAG_ID,
        )
    return dag


def _dag(dag_id: str, description: str, *, paused: bool) -> DAG:
    """A transform DAG, with no schedule: the first's is set last (see set_asset_schedule)."""
    return DAG(
        dag_id=dag_id,
        description=description,
        doc_md=__doc__,
        schedule=None,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=paused,
        tags=["transform", "dbt"],
        default_args={
            "owner": "data-platform",
            "retries": 1,
            "retry_delay": timedelta(minutes=2),
            "on_failure_callback": on_task_failure,
        },
    )


def _build_dag(
    settings: Settings,
    graph: ProjectGraph,
    models: list[Model],
    *,
    dag_id: str,
    schedule: AssetAny,
    mode: str,
    load_method: str,
    elsewhere: dict[str, list[Model]],
) -> DAG:
    description = "dbt layers above staging on the lake, run by Cosmos"
    with _dag(dag_id, description, paused=not settings.is_production) as dag:
        from ol_platform.transform.operators import DbtDocsOperator

        if mode == "models":
            from airflow.sdk import AssetAlias

            from ol_platform.transform.model_tasks import add_model_tasks, alias_name

            everything = [*models, *(m for part in elsewhere.values() for m in part)]
            built, _ = add_model_tasks(
                graph=graph,
                models=models,
                select=TRANSFORM_SELECT,
                asset_of={m.name: model_asset(settings.env, m.layer, m.name) for m in everything},
                alias=AssetAlias(alias_name(dag_id)),
                plan_from_events=True,
                elsewhere=elsewhere,
            )
        elif mode == "watcher":
            built = _watcher_group(settings, graph, load_method)
        else:
            from ol_platform.transform.cosmos_config import build_operator

            built = build_operator(
                task_id="dbt_build",
                select=TRANSFORM_SELECT,
                settings=settings,
                outlets=[model_asset(settings.env, m.layer, m.name) for m in models],
                # `olp backfill transform --select ...` triggers a run with its selection.
                run_conf_selection=True,
            )
        built >> DbtDocsOperator(task_id="dbt_docs", retries=0)
    set_asset_schedule(dag, schedule)
    return dag


def _watcher_group(settings: Settings, graph: ProjectGraph, load_method: str):
    from cosmos import DbtTaskGroup

    from ol_platform.transform.cosmos_config import (
        execution_config,
        profile_config,
        project_config,
        render_config,
        watcher_operator_args,
    )

    group = DbtTaskGroup(
        group_id="dbt",
        project_config=project_config(),
        profile_config=profile_config(settings),
        execution_config=execution_config(),
        render_config=render_config(select=TRANSFORM_SELECT, load_method=load_method),
        operator_args=watcher_operator_args(settings),
    )
    attach_model_assets(group, settings, graph)
    return group


def attach_model_assets(group, settings: Settings, graph: ProjectGraph) -> None:
    """Give each model's last task (its tests, else its run) the Asset of its table."""
    layers = {m.name: m.layer for m in graph.models}
    last: dict[str, object] = {}
    for task_id, task in group.children.items():
        # Watcher task ids: "dbt.<model>.run", "dbt.<model>.test", or "dbt.<model>_run".
        parts = task_id.split(".")
        name = parts[1] if len(parts) > 2 else parts[-1].removesuffix("_run")
        if name in layers and (name not in last or task_id.endswith(".test")):
            last[name] = task
    for name, task in last.items():
        task.outlets = [model_asset(settings.env, layers[name], name)]
