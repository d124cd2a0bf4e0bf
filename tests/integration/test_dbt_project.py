"""The dbt project in its own environment: every model compiles for Trino without a server and
parses as Trino SQL; on DuckDB every model builds and tests over the raw Iceberg tables and
lands back in Iceberg."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import sqlglot

from ol_platform.lake.catalog import catalog_env
from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR, load_graph


def dbt(*args: str, env: dict[str, str], target_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DBT_EXECUTABLE), *args, "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target_path), "--log-path", str(target_path / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip


def test_every_model_compiles_for_trino_and_parses_as_trino_sql(tmp_path):
    out = dbt("compile", "--no-populate-cache", env={"DBT_TARGET": "trino"}, target_path=tmp_path)
    assert out.returncode == 0, out.stdout[-3000:]
    compiled = list((tmp_path / "compiled").rglob("*.sql"))
    models = {m.name for m in load_graph().models}
    assert models <= {p.stem for p in compiled}
    for path in compiled:
        sql = path.read_text()
        if path.stem == "stg__mit_climate__api__articles":
            assert "json_parse(" in sql, "the Trino branch of json_string_array"
        sqlglot.parse_one(sql, read="trino")  # raises on SQL Trino would not accept


@pytest.fixture
def seeded_lake(settings, catalog):
    """Every source's sample data in the lake, as `olp seed` lands it."""
    from ol_platform.samples.systems import seed_lake

    failed = [r.error for r in seed_lake(settings) if r.error]
    assert not failed, failed
    return catalog


def _run_results(target_path) -> list[dict]:
    return json.loads((target_path / "run_results.json").read_text())["results"]


def test_every_model_builds_and_tests_on_duckdb_over_the_lake(settings, seeded_lake, tmp_path):
    env = {
        "DBT_TARGET": "duckdb",
        "OLP_WAREHOUSE_SCHEMA": "ol_warehouse_local",
        **catalog_env(settings),
    }
    out = dbt("build", env=env, target_path=tmp_path)
    assert out.returncode == 0, out.stdout[-4000:]
    assert "ERROR=0" in out.stdout and "PASS=" in out.stdout
    built = {r["unique_id"] for r in _run_results(tmp_path) if r["status"] == "success"}
    assert {f"model.ol_dbt.{m.name}" for m in load_graph().models} <= built, "every model"

    dims = seeded_lake.load_table("ol_warehouse_local_dimensional.dim_course_run").scan()
    platforms = set(dims.to_arrow().column("platform").to_pylist())
    # edX.org is one platform whatever export its runs come from (no separate IRx platform).
    assert {"MITx Online", "xPRO", "Bootcamps", "edX.org"} <= platforms, platforms
    assert "IRx" not in platforms
    runs = seeded_lake.load_table("ol_warehouse_local_intermediate.int__mitxonline__course_runs")
    assert runs.scan().to_arrow().num_rows == 90
    articles = seeded_lake.load_table("ol_warehouse_local_staging.stg__mit_climate__api__articles")
    topics = articles.scan().to_arrow().column("article_topics").to_pylist()
    assert all(isinstance(t, list) and len(t) == 2 for t in topics), "JSON array dispatch macro"

    # catalog.json for OpenMetadata: every model's and raw source's real columns and types,
    # and no column holding personal data without its PII tag, in any layer.
    from ol_platform.catalog.pii import untagged_personal_columns

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    docs = dbt("docs", "generate", "--no-compile", env=env, target_path=tmp_path)
    assert docs.returncode == 0, docs.stdout[-3000:]
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    assert {f"model.ol_dbt.{m.name}" for m in load_graph().models} <= set(catalog["nodes"])
    users = catalog["nodes"]["model.ol_dbt.stg__mitxonline__app__postgres__users_user"]
    assert users["columns"]["user_email"]["type"].upper() == "VARCHAR"
    assert len(catalog["sources"]) == len(
        [n for n in manifest["sources"].values() if n["resource_type"] == "source"]
    )
    layers = ("staging", "intermediate", "dimensional", "mart", "reporting")
    untagged = untagged_personal_columns(manifest, catalog, layers)
    assert not untagged, "personal data without a PII tag:\n" + "\n".join(map(str, untagged))
    # Every column of the layers analysts query reaches the catalog with its meaning.
    from ol_platform.catalog.columns import undescribed_columns

    undescribed = undescribed_columns(manifest, catalog, ("dimensional", "mart"))
    assert not undescribed, "columns without a description:\n" + "\n".join(undescribed)

    # Source freshness from each cadence: tables just loaded by the Airbyte-shaped path pass.
    # (Feeds whose loaded_at is a content timestamp from 2024 are stale by design here.)
    subprocess_result = dbt("source", "freshness", env=env, target_path=tmp_path)
    sources = json.loads((tmp_path / "sources.json").read_text())["results"]
    by_table = {r["unique_id"].split(".")[-1]: r["status"] for r in sources}
    assert by_table["raw__mitxonline__app__postgres__courses_courserun"] == "pass", (
        subprocess_result.stdout[-2000:]
    )
    airbyte_shaped = [t for t in by_table if "__app__postgres__" in t or "__openedx__mysql__" in t]
    assert len(airbyte_shaped) > 20 and {by_table[t] for t in airbyte_shaped} == {"pass"}

    # A rebuild in a new process reads its inputs from the lake and replaces, not appends.
    again = dbt("build", "-s", "int__mitxonline__course_runs", env=env, target_path=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:]
    assert runs.refresh().scan().to_arrow().num_rows == 90
