"""The Iceberg warehouse on S3 (a moto server): the lake writer's merge, replace, guards and
schema evolution, and the platform catalog configured the production way, through pyiceberg's
environment variables, carrying a dlt load from an S3 landing bucket into an S3 lake."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from airflow.sdk import Connection
from pyiceberg.catalog.sql import SqlCatalog

from ol_platform.ingest.edxorg_archives import load_edxorg_archives
from ol_platform.ingest.landing_bucket import landing_bucket
from ol_platform.lake.catalog import catalog_env, catalog_properties, get_catalog
from ol_platform.lake.writer import LoadRefusedError, WriteDisposition, commit
from ol_platform.samples import edxorg_archives as sample
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

LAKE = "ol-lake"
IDENTIFIER = "ol_warehouse_local_raw.raw__test__s3__people"


def s3_properties(endpoint: str) -> dict[str, str]:
    return {
        "s3.endpoint": endpoint,
        "s3.access-key-id": "testing",
        "s3.secret-access-key": "testing",
        "s3.region": "us-east-1",
    }


def objects(endpoint: str, prefix: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=LAKE, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


@pytest.fixture
def lake_bucket(moto_s3: str) -> str:
    boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1").create_bucket(Bucket=LAKE)
    return f"s3://{LAKE}/warehouse"


def s3_catalog(tmp_path: Path, endpoint: str, warehouse: str) -> SqlCatalog:
    return SqlCatalog(
        "olp",
        uri=f"sqlite:///{tmp_path / 'catalog.db'}",
        warehouse=warehouse,
        **s3_properties(endpoint),
    )


def people(ids: list[int], name: str, **extra: list) -> pa.Table:
    stamp = datetime(2025, 1, 1, tzinfo=UTC)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": [f"{name}{i}" for i in ids],
            "updated_on": pa.array([stamp] * len(ids), pa.timestamp("us", tz="UTC")),
            **extra,
        }
    )


def test_writer_merge_replace_and_schema_evolution_on_s3(tmp_path, moto_s3, lake_bucket):
    catalog = s3_catalog(tmp_path, moto_s3, lake_bucket)
    commit(
        catalog,
        IDENTIFIER,
        people([1, 2, 3], "a"),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    # Merge: id 2 changes, id 4 is new, and a new column arrives (schema evolution).
    evolved = people([2, 4], "b", grade=pa.array([0.5, 0.9]))
    result = commit(
        catalog, IDENTIFIER, evolved, disposition=WriteDisposition.MERGE, primary_key=["id"]
    )
    assert (result.rows_in_batch, result.total_rows) == (2, 4)

    # Read back through a fresh catalog: everything is in S3 and the SQL catalog, nothing cached.
    reread = s3_catalog(tmp_path, moto_s3, lake_bucket).load_table(IDENTIFIER)
    assert reread.metadata_location.startswith(f"{lake_bucket}/")
    rows = {r["id"]: r for r in reread.scan().to_arrow().to_pylist()}
    assert {i: (r["name"], r["grade"]) for i, r in rows.items()} == {
        1: ("a1", None),
        2: ("b2", 0.5),
        3: ("a3", None),
        4: ("b4", 0.9),
    }
    assert [f.name for f in reread.schema().fields][-1] == "grade"

    commit(catalog, IDENTIFIER, people([1, 2, 3, 4], "c"), disposition=WriteDisposition.REPLACE)
    table = s3_catalog(tmp_path, moto_s3, lake_bucket).load_table(IDENTIFIER)
    assert sorted(table.scan().to_arrow().column("name").to_pylist()) == ["c1", "c2", "c3", "c4"]
    before = table.current_snapshot().snapshot_id
    with pytest.raises(LoadRefusedError, match="replace refused"):
        commit(catalog, IDENTIFIER, people([1], "d"), disposition=WriteDisposition.REPLACE)
    assert table.refresh().current_snapshot().snapshot_id == before

    keys = objects(moto_s3, "warehouse/")
    assert any(k.endswith(".parquet") for k in keys)
    assert any(k.endswith(".metadata.json") for k in keys)
    assert not list(tmp_path.rglob("*.parquet")), "no data file was written locally"


def test_platform_catalog_from_env_config_lands_an_s3_load_in_an_s3_lake(
    tmp_path, moto_s3, lake_bucket, settings, monkeypatch
):
    env = {
        "PYICEBERG_CATALOG__OLP__TYPE": "sql",
        "PYICEBERG_CATALOG__OLP__URI": f"sqlite:///{tmp_path / 'catalog.db'}",
        "PYICEBERG_CATALOG__OLP__WAREHOUSE": lake_bucket,
        "PYICEBERG_CATALOG__OLP__S3__ENDPOINT": moto_s3,
        "PYICEBERG_CATALOG__OLP__S3__ACCESS_KEY_ID": "testing",
        "PYICEBERG_CATALOG__OLP__S3__SECRET_ACCESS_KEY": "testing",
        "PYICEBERG_CATALOG__OLP__S3__REGION": "us-east-1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    properties = catalog_properties(settings)
    assert {k: properties[k] for k in s3_properties(moto_s3)} == s3_properties(moto_s3)
    assert properties["warehouse"] == lake_bucket
    # dbt's processes get the catalog as environment variables: they must mean the same.
    exported = catalog_env(settings)
    for key in env:
        monkeypatch.delenv(key)
    for key, value in exported.items():
        monkeypatch.setenv(key, value)
    assert catalog_properties(settings) == properties

    landing = landing_bucket(
        Connection(
            conn_id="landing_bucket",
            conn_type="aws",
            login="testing",
            password="testing",
            extra=json.dumps({"endpoint_url": moto_s3, "bucket": "ol-landing"}),
        )
    )
    size = sample.SampleSize(shared_runs=2, learners_per_run=5, users=50)
    written = sample.write_day(landing.url, landing.storage_options, size=size)
    source = load_registry(DEFAULT_REGISTRY)["edxorg_archives"]
    results = load_edxorg_archives(
        source,
        bucket_url=landing.url,
        storage_options=landing.storage_options,
        catalog=get_catalog(settings),
        settings=settings,
    )
    totals = {r.table.rsplit("__", 1)[1]: r.total_rows for r in results}
    # The course exports beside the dumps land as blocks: 16 per sample course run.
    assert totals.pop("course_blocks") == 16 * len(sample.course_runs(size))
    assert totals == sample.rows_by_table(written)

    catalog = get_catalog(settings)
    table = catalog.load_table("ol_warehouse_local_raw.raw__edxorg__s3__tables__auth_user")
    assert table.metadata_location.startswith(f"{lake_bucket}/")
    assert table.scan().to_arrow().num_rows == sample.rows_by_table(written)["auth_user"]
    assert any(k.endswith(".parquet") for k in objects(moto_s3, "warehouse/"))
    assert not list(settings.lake_dir.rglob("*.parquet")), "the local lake stays empty"
