"""Run a dlt source and commit what it extracted to the Iceberg lake in one transaction per table.

dlt extracts and normalises (types, naming, nested data) into parquet load packages on a
local staging filesystem, the way Airbyte stages to S3; the platform then commits each
table's files to Iceberg with :func:`ol_platform.lake.writer.commit`. The lake, not dlt's
pipeline state, is the source of truth for incremental cursors, so a run that dies between
extract and commit simply extracts the same rows again next time.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError

from ol_platform.lake.naming import namespace
from ol_platform.lake.stats import column_max
from ol_platform.lake.writer import CommitResult, WriteDisposition, commit
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

# dlt would otherwise phone home and write under $HOME.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# Inside Airflow dlt looks up every config key as an Airflow Variable (~800 metadata DB reads
# per run); the loaders pass their settings explicitly, so turn that provider off.
os.environ.setdefault("PROVIDERS__ENABLE_AIRFLOW_SECRETS", "false")

log = logging.getLogger(__name__)

DLT_COLUMNS = ("_dlt_load_id", "_dlt_id")


@dataclass(frozen=True)
class TablePlan:
    """How one dlt resource lands in the lake."""

    resource: str
    lake_table: str
    disposition: WriteDisposition
    primary_key: list[str]
    shape: Callable[[pa.Table, datetime, int], pa.Table] | None = None
    freeze_types: bool = False
    cursor: str | None = None  # for VERSIONED loads: the column whose growth marks changes


def lake_cursor(catalog: Catalog, identifier: str, column: str):
    """Highest value of ``column`` already in the lake table, or None for a new table."""
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        return None
    return column_max(table, column)


def _read_staged(bucket: Path, dataset: str, resource: str) -> pa.Table | None:
    files = sorted((bucket / dataset / resource).glob("*.parquet"))
    if not files:
        return None
    tables = [pq.read_table(f) for f in files]
    data = pa.concat_tables(tables, promote_options="default")
    return data.drop_columns([c for c in DLT_COLUMNS if c in data.column_names])


def run_to_lake(
    source: Source, data, plans: list[TablePlan], *, catalog: Catalog, settings: Settings
) -> list[CommitResult]:
    """Extract ``data`` (a dlt source or resources) for ``source``; commit every planned table."""
    import dlt

    pipeline_name = f"olp_{source.name}"
    run_dir = settings.staging_dir / pipeline_name / uuid.uuid4().hex
    bucket = run_dir / "bucket"
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name,
        pipelines_dir=str(run_dir / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=bucket.as_uri()),
        dataset_name="staged",
        # Progress through our logger: task logs keep it, `olp seed` quiets it with its level.
        progress=dlt.progress.log(log_period=5.0, logger=log),
    )
    extracted_at = datetime.now(UTC)
    sync_id = int(extracted_at.timestamp())
    try:
        pipeline.run(data, loader_file_format="parquet")
        results = []
        for plan in plans:
            staged = _read_staged(bucket, "staged", plan.resource)
            if staged is None:
                log.info("%s: no new rows from the source", plan.lake_table)
                staged = pa.table({})
                if plan.disposition is not WriteDisposition.REPLACE:
                    continue
            if plan.shape:
                staged = plan.shape(staged, extracted_at, sync_id)
            results.append(
                commit(
                    catalog,
                    f"{namespace(settings.env)}.{plan.lake_table}",
                    staged,
                    disposition=plan.disposition,
                    primary_key=plan.primary_key,
                    cursor=plan.cursor,
                    freeze_types=plan.freeze_types,
                )
            )
        return results
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
