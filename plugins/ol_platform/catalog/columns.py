"""The columns the warehouse's models really have, next to what dbt documents about them.

dbt's ``catalog.json`` (``dbt docs generate``) lists each built table's columns and types; the
manifest holds what the project's yml declares for them (descriptions, tags). OpenMetadata's
dbt ingestion reads both, so a column the yml does not describe reaches the catalog with a
type and nothing else. The checks here compare the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def model_columns(
    manifest: dict[str, Any], catalog: dict[str, Any], layers: Iterable[str]
) -> Iterator[tuple[dict[str, Any], str, dict[str, Any], dict[str, Any]]]:
    """``(model node, column name, catalog column, yml column or {})`` for every column of the
    built models whose schema ends with ``_<layer>`` for one of ``layers``."""
    suffixes = tuple(f"_{layer}" for layer in layers)
    for unique_id, entry in (catalog.get("nodes") or {}).items():
        node = (manifest.get("nodes") or {}).get(unique_id)
        if not node or node.get("resource_type") != "model":
            continue
        if not str(node.get("schema", "")).endswith(suffixes):
            continue
        documented = {name.lower(): col for name, col in (node.get("columns") or {}).items()}
        for name, col in (entry.get("columns") or {}).items():
            yield node, name, col, documented.get(name.lower(), {})


def undescribed_columns(
    manifest: dict[str, Any], catalog: dict[str, Any], layers: Iterable[str]
) -> list[str]:
    """``model.column`` of every built column in ``layers`` whose yml gives no description."""
    return sorted(
        f"{node['name']}.{name}"
        for node, name, _, documented in model_columns(manifest, catalog, layers)
        if not str(documented.get("description") or "").strip()
    )
