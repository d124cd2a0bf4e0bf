"""API-, BigQuery- and S3-kind Airbyte sources fed from fixture records: every raw table lands,
Airbyte-shaped, and a rerun merges instead of duplicating."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from ol_platform.ingest.airbyte_shape import AIRBYTE_COLUMNS
from ol_platform.ingest.fixture_records import load_fixture_records
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


@pytest.mark.parametrize("name", ["irx", "forums", "mailgun", "salesforce"])
def test_fixture_source_lands_every_table_and_reruns_idempotently(name, catalog, settings):
    source = load_registry(DEFAULT_REGISTRY)[name]
    first = {
        r.table: r.total_rows
        for r in load_fixture_records(source, catalog=catalog, settings=settings)
    }
    again = {
        r.table: r.total_rows
        for r in load_fixture_records(source, catalog=catalog, settings=settings)
    }
    assert first == again
    assert len(first) == len(source.tables)
    for table, raw in zip(source.tables, source.raw_table_names(), strict=True):
        data = catalog.load_table(f"ol_warehouse_local_raw.{raw}").scan().to_arrow()
        assert data.num_rows > 0 and set(AIRBYTE_COLUMNS) <= set(data.column_names)
        keys = data.select(table.primary_key).group_by(table.primary_key).aggregate([])
        assert keys.num_rows == data.num_rows, f"{raw}: duplicate primary keys"


def test_irx_enrollments_use_the_shared_course_runs(catalog, settings):
    from ol_platform.samples.mitxonline_app import course_run_keys

    load_fixture_records(load_registry(DEFAULT_REGISTRY)["irx"], catalog=catalog, settings=settings)
    table = catalog.load_table(
        "ol_warehouse_local_raw.raw__irx__edxorg__bigquery__course_enrollment"
    )
    runs = set(pc.unique(table.scan().to_arrow().column("course_id")).to_pylist())
    assert runs <= {f"course-v1:MITxT+{n}+{t}" for n, t in course_run_keys()}


def test_unknown_fixture_name_is_a_clear_error(catalog, settings):
    source = load_registry(DEFAULT_REGISTRY)["mailgun"]
    broken = source.model_copy(update={"local": source.local.model_copy(update={"sample": "nope"})})
    with pytest.raises(ValueError, match="source 'mailgun': field 'local.sample'"):
        load_fixture_records(broken, catalog=catalog, settings=settings)
