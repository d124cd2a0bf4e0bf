"""The Cosmos configuration shared by every DAG that runs the dbt project.

dbt runs in its own virtualenv (``dbt_project/.venv``), invoked as a subprocess. Locally the
profile is ``dbt_project/profiles.yml``'s DuckDB target, a stateless engine over the Iceberg
lake; in production it is mapped from the Airflow connection ``trino_default``.

Three ways to put a selection of models in a DAG (``OLP_DBT_RENDER``):

- ``models`` (default): a task group per layer with a task per model, fed by one producer
  ``dbt build``; the model tasks run in the triggerer, not on a worker
  (``ol_platform.transform.model_tasks``).
- ``build``: one Cosmos ``DbtBuildLocalOperator`` runs ``dbt build`` on the selection: models
  and their tests interleaved as dbt orders them, one dbt start-up, one parse (reused from the
  build's ``partial_parse.msgpack``). The task emits the Asset of every model it builds.
- ``watcher``: Cosmos's watcher mode renders a task group with a run and a test task per model,
  fed by one producer running the same ``dbt build``. Per-model retries and visibility, at the
  cost of two extra worker task processes per model, which on a small worker dominate the run
  (see bench/transform.py).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ol_platform.lake.naming import warehouse_schema
from ol_platform.settings import Settings
from ol_platform.transform.project import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    MANIFEST_PATH,
    PROJECT_NAME,
)

if TYPE_CHECKING:
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig

TRINO_CONN_ID = "trino_default"
# Cosmos is imported inside the functions below: the default render mode parses without it.


def project_config() -> ProjectConfig:
    from cosmos import ProjectConfig

    config = ProjectConfig(
        dbt_project_path=DBT_PROJECT_DIR,
        manifest_path=MANIFEST_PATH,
        project_name=PROJECT_NAME,
        install_dbt_deps=False,
    )
    # Cosmos wraps the manifest in an ObjectStoragePath, whose read records hook lineage and
    # so loads every Airflow plugin at parse time; openmetadata-managed-apis alone takes
    # ~20 s to import. The manifest is a local file: read it as one.
    config.manifest_path = MANIFEST_PATH
    return config


def profile_config(settings: Settings) -> ProfileConfig:
    from cosmos import ProfileConfig

    if settings.env in ("qa", "production"):
        from cosmos.profiles import TrinoLDAPProfileMapping

        return ProfileConfig(
            profile_name=PROJECT_NAME,
            target_name=settings.env,
            profile_mapping=TrinoLDAPProfileMapping(
                conn_id=TRINO_CONN_ID,
                profile_args={"schema": warehouse_schema(settings.env)},
            ),
        )
    return ProfileConfig(
        profile_name=PROJECT_NAME,
        target_name="duckdb",
        profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
    )


RENDER_MODES = ("build", "models", "watcher")


def render_mode() -> str:
    mode = os.environ.get("OLP_DBT_RENDER", "models")
    if mode not in RENDER_MODES:
        raise ValueError(f"OLP_DBT_RENDER={mode!r} is not one of {', '.join(RENDER_MODES)}")
    return mode


def execution_config() -> ExecutionConfig:
    from cosmos import ExecutionConfig
    from cosmos.constants import ExecutionMode, InvocationMode

    return ExecutionConfig(
        # One `dbt build`; a run and a test sensor per model follow it through its JSON log.
        execution_mode=ExecutionMode.WATCHER,
        dbt_executable_path=DBT_EXECUTABLE,
        # dbt-core (without adapters) is importable in Airflow's environment too: never let
        # Cosmos pick the in-process runner.
        invocation_mode=InvocationMode.SUBPROCESS,
        # A retried producer only restores its state and skips; consumers retry per model.
        setup_operator_args={"retries": 0},
    )


def render_config(
    select: list[str] | None = None, load_method: str = "dbt_manifest"
) -> RenderConfig:
    from cosmos import RenderConfig
    from cosmos.constants import InvocationMode, LoadMode, TestBehavior

    return RenderConfig(
        load_method=LoadMode(load_method),
        # BUILD is not supported by the watcher; its producer still runs one `dbt build`.
        test_behavior=TestBehavior.AFTER_EACH,
        dbt_executable_path=DBT_EXECUTABLE,
        invocation_mode=InvocationMode.SUBPROCESS,
        # Multi-parent tests count towards each parent's test sensor.
        should_detach_multiple_parents_tests=False,
        # The operator_args key is overridden by this one; the platform attaches its own Assets.
        emit_datasets=False,
        select=select or [],
    )


def build_operator(*, task_id: str, select: list[str], settings: Settings, outlets: list, **kwargs):
    """One task running ``dbt build`` on ``select`` through Cosmos (the ``build`` render mode)."""
    from ol_platform.transform.operators import DbtBuildOperator

    return DbtBuildOperator(task_id=task_id, select=select, outlets=outlets, **kwargs)


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for every dbt process: target schema and, locally, the lake's catalog."""
    env = {
        "OLP_WAREHOUSE_SCHEMA": warehouse_schema(settings.env),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if settings.uses_samples:
        from ol_platform.lake.catalog import catalog_env  # pyiceberg: not at parse time

        env |= {"DBT_TARGET": "duckdb", **catalog_env(settings)}
    return env


def operator_args(settings: Settings) -> dict:
    return {
        # Assets are attached per model by the platform (ol_platform.lake.assets), with
        # stable URIs; Cosmos's OpenLineage-derived datasets are not used.
        "emit_datasets": False,
        "env": dbt_env(settings),
        "append_env": True,
    }


def watcher_operator_args(settings: Settings) -> dict:
    # Sensors poll the producer's XCom; the default 10 s would pad every model's task.
    return {**operator_args(settings), "poke_interval": 2}
