"""Feed the raw tables of an API-, BigQuery- or S3-kind Airbyte source from fixture records,
shaped as Airbyte shapes them (meta columns), merged on the primary key. The local and CI
stand-in for those Airbyte connections; production runs the Airbyte sync.
"""

from __future__ import annotations

from pyiceberg.catalog import Catalog

from ol_platform.ingest.airbyte_shape import airbyte_plan
from ol_platform.ingest.dlt_runner import run_to_lake
from ol_platform.lake.writer import CommitResult
from ol_platform.samples.fixture_records import FIXTURES, fixture_key
from ol_platform.settings import Settings
from ol_platform.sources.models import Source


def load_fixture_records(
    source: Source, *, catalog: Catalog, settings: Settings, seed: int = 7
) -> list[CommitResult]:
    import dlt

    if source.local.sample not in FIXTURES:
        raise ValueError(
            f"source '{source.name}': field 'local.sample': no fixture records named "
            f"{source.local.sample!r} (known: {', '.join(sorted(FIXTURES))})"
        )
    records = FIXTURES[source.local.sample](seed)
    resources, plans = [], []
    for table, lake_table in zip(source.tables, source.raw_table_names(), strict=True):
        key = fixture_key(table.entity, table.namespace)
        # Nested fields stay JSON, as Airbyte's destinations keep them.
        resources.append(dlt.resource(records[key], name=key, max_table_nesting=0))
        plans.append(airbyte_plan(key, lake_table, table.primary_key))
    return run_to_lake(source, resources, plans, catalog=catalog, settings=settings)
