"""Names in the lake: raw tables, namespaces per environment and layer."""

from __future__ import annotations

RAW_STORAGES = ("postgres", "mysql", "s3", "api", "rss", "google_sheets", "bigquery")


def raw_table_name(
    system: str,
    storage: str,
    entity: str,
    *,
    subsystem: str | None = None,
    namespace: str | None = None,
) -> str:
    """``raw__{system}[__{subsystem}]__{storage}[__{namespace}]__{entity}``."""
    storage = str(storage)
    if storage not in RAW_STORAGES:
        raise ValueError(f"storage {storage!r} is not one of {', '.join(RAW_STORAGES)}")
    parts = ["raw", system, subsystem, storage, namespace, entity]
    return "__".join(p for p in parts if p)


def warehouse_schema(env: str) -> str:
    """The dbt target schema of an environment; layers append ``_<layer>``."""
    return f"ol_warehouse_{env}"


def namespace(env: str, layer: str = "raw") -> str:
    """Iceberg namespace of a layer: ``ol_warehouse_<env>_<layer>``."""
    return f"{warehouse_schema(env)}_{layer}"
