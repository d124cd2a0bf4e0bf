"""The Cosmos configuration shared by every DAG that renders the dbt project.

dbt runs in its own virtualenv (``dbt_project/.venv``), invoked as a subprocess. Locally the
profile is ``dbt_project/profiles.yml``'s DuckDB target, a stateless engine over the Iceberg
lake; in production it is mapped from the Airflow connection ``trino_default``.
"""

from __future__ import annotations

from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

from ol_platform.lake.catalog import catalog_env
from ol_platform.lake.naming import warehouse_schema
from ol_platform.settings import Settings
from ol_platform.transform.project import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    MANIFEST_PATH,
    PROJECT_NAME,
)

TRINO_CONN_ID = "trino_default"


def project_config() -> ProjectConfig:
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


def execution_config() -> ExecutionConfig:
    return ExecutionConfig(
        execution_mode=ExecutionMode.LOCAL,
        dbt_executable_path=DBT_EXECUTABLE,
        invocation_mode=InvocationMode.SUBPROCESS,
    )


def render_config(
    select: list[str] | None = None, load_method: str = "dbt_manifest"
) -> RenderConfig:
    return RenderConfig(
        load_method=LoadMode(load_method),
        # One `dbt build` per model: its tests run in the same process, halving dbt startups.
        test_behavior=TestBehavior.BUILD,
        dbt_executable_path=DBT_EXECUTABLE,
        invocation_mode=InvocationMode.SUBPROCESS,
        # A test on two models (relationships) gets its own task after both are built, and
        # is excluded from each model's `dbt build`, which would otherwise run it too early.
        should_detach_multiple_parents_tests=True,
        select=select or [],
    )


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for every dbt process: target schema and, locally, the lake's catalog."""
    env = {
        "OLP_WAREHOUSE_SCHEMA": warehouse_schema(settings.env),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if settings.uses_samples:
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
