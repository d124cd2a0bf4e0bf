"""The check that every column analysts read reaches the catalog with a description."""

from __future__ import annotations

from ol_platform.catalog.columns import undescribed_columns


def _manifest(schema: str, columns: dict) -> dict:
    node = {"resource_type": "model", "name": "dim_x", "schema": schema, "columns": columns}
    return {"nodes": {"model.p.dim_x": node}}


def _catalog(*names: str) -> dict:
    return {"nodes": {"model.p.dim_x": {"columns": {n: {"type": "VARCHAR"} for n in names}}}}


def test_a_built_column_without_a_description_is_reported_by_model_and_column():
    manifest = _manifest(
        "ol_warehouse_local_dimensional",
        {
            "x_pk": {"description": "The x."},
            "blank": {"description": "  "},
            "tagged_only": {"meta": {"openmetadata": {"tags": ["PII.Sensitive"]}}},
        },
    )
    catalog = _catalog("X_PK", "blank", "tagged_only", "not_in_yml")
    assert undescribed_columns(manifest, catalog, ("dimensional",)) == [
        "dim_x.blank",
        "dim_x.not_in_yml",
        "dim_x.tagged_only",
    ]


def test_only_the_layers_asked_for_are_checked_and_a_yml_column_never_built_is_ignored():
    manifest = _manifest("ol_warehouse_local_staging", {"gone": {"description": ""}})
    assert undescribed_columns(manifest, _catalog("a"), ("dimensional", "mart")) == []
    assert undescribed_columns(manifest, _catalog("a"), ("staging",)) == ["dim_x.a"]
