"""Airflow Assets for lake tables.

Every table of the lake has one Asset whose URI is stable and documented:

    iceberg://ol-lake/<namespace>/<table>

e.g. ``iceberg://ol-lake/ol_warehouse_production_raw/raw__mitxonline__app__postgres__courses_course``.
The Asset's name is ``<namespace>.<table>``. Ingest DAGs emit raw-table Assets; the transform
DAG is scheduled on them and emits one per model it builds.
"""

from __future__ import annotations

from airflow.sdk import Asset

from ol_platform.lake.naming import namespace, warehouse_schema

ASSET_SCHEME = "iceberg"
ASSET_AUTHORITY = "ol-lake"


def table_uri(table_namespace: str, table: str) -> str:
    return f"{ASSET_SCHEME}://{ASSET_AUTHORITY}/{table_namespace}/{table}"


def table_asset(table_namespace: str, table: str) -> Asset:
    return Asset(name=f"{table_namespace}.{table}", uri=table_uri(table_namespace, table))


def raw_asset(env: str, table: str) -> Asset:
    return table_asset(namespace(env, "raw"), table)


def model_asset(env: str, layer: str, model: str) -> Asset:
    """A dbt model's table: ``iceberg://ol-lake/<target schema>_<layer>/<model>``."""
    return table_asset(f"{warehouse_schema(env)}_{layer}", model)
