"""Extract an application database (PostgreSQL, MySQL/MariaDB, SQLite) into Airbyte-shaped raw
tables: dlt's ``sql_database`` source, incremental on each table's update timestamp and merged
on its primary key. This is the local and CI stand-in for the source's Airbyte connection; in
production Airbyte performs the same sync.
"""

from __future__ import annotations

from pyiceberg.catalog import Catalog

from ol_platform.ingest.airbyte_shape import airbyte_plan
from ol_platform.ingest.dlt_runner import lake_cursor, run_to_lake
from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import CommitResult
from ol_platform.settings import Settings
from ol_platform.sources.models import Source


def load_app_database(
    source: Source, *, url: str, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    import dlt
    from dlt.sources.sql_database import sql_table

    resources, plans = [], []
    for table, lake_table in zip(source.tables, source.raw_table_names(), strict=True):
        incremental = None
        if table.cursor:
            since = lake_cursor(catalog, f"{namespace(settings.env)}.{lake_table}", table.cursor)
            if since is not None:
                since = since.replace(tzinfo=None)  # app timestamps are stored as naive UTC
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
        plans.append(airbyte_plan(table.entity, lake_table, table.primary_key))
    return run_to_lake(source, resources, plans, catalog=catalog, settings=settings)
