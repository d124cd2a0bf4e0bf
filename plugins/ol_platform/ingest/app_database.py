"""Extract an application database (PostgreSQL, MySQL/MariaDB, SQLite) into Airbyte-shaped raw
tables, incremental on each table's update timestamp, as Airbyte's incremental append + dedup
sync lands them: new versions of changed rows are appended (the staging models keep the newest
per key), tables without a cursor are merged on their key. This is the local and CI stand-in
for the source's Airbyte connection, and the fast path for PostgreSQL tables the platform
loads itself; in production Airbyte performs the syncs it owns.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import sqlalchemy as sa
from pyiceberg.catalog import Catalog

from ol_platform.ingest.airbyte_shape import airbyte_plan, airbyte_shape
from ol_platform.ingest.dlt_runner import lake_cursor, run_to_lake
from ol_platform.ingest.pg_copy import copy_batches
from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import CommitResult, commit
from ol_platform.settings import Settings
from ol_platform.sources.models import Source


def load_app_database(
    source: Source, *, url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    """Land every raw table of ``source`` from the database at ``url``.

    PostgreSQL takes the COPY path (:mod:`ol_platform.ingest.pg_copy`), streamed into one
    Iceberg commit per table; MySQL/MariaDB and SQLite go through dlt's ``sql_table``.
    """
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        return load_postgres(source, url=url, catalog=catalog, settings=settings)
    return _load_with_dlt(source, url=url, catalog=catalog, settings=settings)


def _since(catalog: Catalog, settings: Settings, lake_table: str, cursor: str | None):
    if not cursor:
        return None
    since = lake_cursor(catalog, f"{namespace(settings.env)}.{lake_table}", cursor)
    if isinstance(since, datetime):
        since = since.replace(tzinfo=None)  # app timestamps are stored as naive UTC
    return since


def load_postgres(
    source: Source, *, url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    from dlt.common.normalizers.naming.snake_case import NamingConvention

    normalize = NamingConvention().normalize_identifier  # the same column names dlt would give
    engine = sa.create_engine(url)
    extracted_at = datetime.now(UTC)
    sync_id = int(extracted_at.timestamp())
    results = []
    try:
        for table, lake_table in zip(source.tables, source.raw_table_names(), strict=True):
            since = _since(catalog, settings, lake_table, table.cursor)
            reader = copy_batches(engine, table.entity, cursor=table.cursor, since=since)
            shaped = _shaped(reader, normalize, extracted_at, sync_id)
            plan = airbyte_plan(table.entity, lake_table, table.primary_key, table.cursor)
            results.append(
                commit(
                    catalog,
                    f"{namespace(settings.env)}.{lake_table}",
                    shaped,
                    disposition=plan.disposition,
                    primary_key=plan.primary_key,
                    cursor=plan.cursor,
                )
            )
    finally:
        engine.dispose()
    return results


def _shaped(reader: pa.RecordBatchReader, normalize, extracted_at: datetime, sync_id: int):
    schema = pa.schema([f.with_name(normalize(f.name)) for f in reader.schema])
    shaped_schema = airbyte_shape(schema.empty_table(), extracted_at, sync_id).schema

    def batches():
        for batch in reader:
            table = pa.Table.from_batches([batch.rename_columns(schema.names)])
            yield from airbyte_shape(table, extracted_at, sync_id).to_batches()

    return pa.RecordBatchReader.from_batches(shaped_schema, batches())


def _load_with_dlt(
    source: Source, *, url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    import dlt
    from dlt.sources.sql_database import sql_table

    resources, plans = [], []
    for table, lake_table in zip(source.tables, source.raw_table_names(), strict=True):
        incremental = None
        if table.cursor:
            since = _since(catalog, settings, lake_table, table.cursor)
            incremental = dlt.sources.incremental(table.cursor, initial_value=since)
        resources.append(
            sql_table(
                credentials=url,
                table=table.entity,
                backend="pyarrow",
                incremental=incremental,
                primary_key=table.primary_key or None,
                reflection_level="full_with_precision",
            ).with_name(table.entity)
        )
        plans.append(airbyte_plan(table.entity, lake_table, table.primary_key, table.cursor))
    return run_to_lake(source, resources, plans, catalog=catalog, settings=settings)
