"""The dbt project's raw sources, generated from the source registry.

Every raw table a registry entry lands becomes a table of the dbt source
``ol_warehouse_raw_data``, with source freshness derived from the entry's cadence: warn after
two missed loads, error after four. The file is committed (dbt parses without the platform);
``olp dbt-sources`` rewrites it and a test fails when it drifts from the registry.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ol_platform.sources.models import Source, Transport
from ol_platform.sources.registry import Registry
from ol_platform.transform.project import DBT_PROJECT_DIR

SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"
SOURCE_NAME = "ol_warehouse_raw_data"
HEADER = "# Generated from include/sources.yaml by `olp dbt-sources`; do not edit by hand.\n"
# Sources whose local and production tables carry Airbyte's columns.
AIRBYTE_SHAPED_LOADERS = {"app_database", "fixture_records", "tracking_logs"}


def _period(minutes: int) -> dict:
    if minutes % 60:
        return {"count": minutes, "period": "minute"}
    return {"count": minutes // 60, "period": "hour"}


def loaded_at_field(source: Source, table) -> str | None:
    if table.loaded_at:
        return table.loaded_at
    if source.transport is Transport.AIRBYTE or source.local.loader in AIRBYTE_SHAPED_LOADERS:
        return "_airbyte_extracted_at"
    return table.cursor


def render(registry: Registry) -> str:
    tables = []
    for source in registry.sources.values():
        for table, name in zip(source.tables, source.raw_table_names(), strict=True):
            entry: dict = {"name": name, "description": f"{source.title}: {table.entity}."}
            field = loaded_at_field(source, table)
            if field:
                entry["loaded_at_field"] = field
                entry["freshness"] = {
                    "warn_after": _period(2 * source.cadence.minutes),
                    "error_after": _period(4 * source.cadence.minutes),
                }
            entry["meta"] = {"registry_source": source.name, "cadence": source.cadence.value}
            tables.append(entry)
    document = {
        "version": 2,
        "sources": [
            {
                "name": SOURCE_NAME,
                "description": "The raw lake, one Iceberg namespace per environment "
                "(ol_warehouse_<env>_raw).",
                "schema": "{{ target.schema }}_raw",
                "tables": tables,
            }
        ],
    }
    return HEADER + yaml.safe_dump(document, sort_keys=False, width=100)


def write(registry: Registry, path: Path | None = None) -> bool:
    """Rewrite the sources file; True when it changed."""
    path = path or SOURCES_YML
    text = render(registry)
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True
