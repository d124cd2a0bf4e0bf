"""Open edX tracking logs into the raw lake: the normalise step of the ``tracking_logs`` source.

In production Airbyte syncs the gzipped JSON-lines log files from S3 and DuckDB normalises
them; locally the files come from :mod:`ol_platform.samples.tracking_logs`. For each
deployment (the raw table's namespace) DuckDB reads the files the lake has not seen yet and
flattens every event into one row with stable types; the batch is Airbyte-shaped and committed
as one Iceberg transaction per table.

Which files are new is read from the lake (the distinct ``log_file`` values), never from local
state, so a lost worker or a fresh machine cannot load a file twice or skip one.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError

from ol_platform.ingest.airbyte_shape import airbyte_shape
from ol_platform.ingest.window import Window
from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import CommitResult, WriteDisposition, commit
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

log = logging.getLogger(__name__)

LOG_GLOB = "tracking.log-*.gz"
# Rotation stamps the hour the file starts: tracking.log-20241124-1700.gz (UTC).
FILE_DATE = re.compile(r"tracking\.log-(\d{8})(?:-(\d{4}))?")

# Explicit types for the top-level fields: a field that is sometimes a number, an object or
# missing still lands in the same column type. ``event`` and ``context`` stay JSON.
EVENT_STRUCTURE = {
    "username": "VARCHAR",
    "event_type": "VARCHAR",
    "event_source": "VARCHAR",
    "time": "VARCHAR",
    "ip": "VARCHAR",
    "agent": "VARCHAR",
    "page": "VARCHAR",
    "host": "VARCHAR",
    "session": "VARCHAR",
    "name": "VARCHAR",
    "accept_language": "VARCHAR",
    "referer": "VARCHAR",
    "event": "JSON",
    "context": "JSON",
}

# Each line is read as a raw JSON object rather than with read_ndjson's ``columns``: the exact
# text of the line is needed for ``event_hash`` (md5 of the original line), and a truncated
# line (NULL here) must be told apart from a sparse but valid event; the types are then fixed
# by json_transform with EVENT_STRUCTURE, which is what ``columns`` would do.
READ_LINES = """
CREATE OR REPLACE TEMP TABLE lines AS
SELECT filename AS path, json AS line
FROM read_json_objects(
    $files, format = 'newline_delimited', compression = 'gzip',
    ignore_errors = true, filename = true
)
"""

NORMALISE = """
SELECT
    e.username,
    e.event_type,
    e.event_source,
    TRY_CAST(e.time AS TIMESTAMPTZ) AS time,
    NULLIF(e.context ->> '$.course_id', '') AS course_id,
    TRY_CAST(NULLIF(e.context ->> '$.user_id', '') AS BIGINT) AS user_id,
    NULLIF(e.context ->> '$.org_id', '') AS org_id,
    e.context ->> '$.path' AS path,
    e.ip,
    e.agent,
    e.page,
    e.host,
    e.session,
    e.name,
    e.accept_language,
    e.referer,
    -- Browser events carry ``event`` as a JSON-encoded string: decode it when it holds an
    -- object or array, otherwise keep it as a JSON string literal, so the column is JSON
    -- text either way.
    CASE
        WHEN json_type(e.event) = 'VARCHAR'
            AND json_type(TRY(json(e.event ->> '$'))) IN ('OBJECT', 'ARRAY')
            THEN json(e.event ->> '$')::VARCHAR
        ELSE e.event::VARCHAR
    END AS event,
    e.context::VARCHAR AS context,
    substr(path, $prefix_len + 1) AS log_file,
    md5(line::VARCHAR) AS event_hash
FROM (
    SELECT path, line, json_transform(line, $structure) AS e
    FROM lines
    WHERE json_type(line) = 'OBJECT'
)
"""

# A line that is not a JSON object (truncated, or a bare value) is no event: skipped, counted.
LINE_COUNTS = """
SELECT substr(path, $prefix_len + 1) AS log_file,
       count(*) AS lines,
       count(*) FILTER (WHERE json_type(line) IS DISTINCT FROM 'OBJECT') AS malformed
FROM lines
GROUP BY ALL
ORDER BY log_file
"""


@dataclass(frozen=True)
class LogRead:
    """The normalised events of some log files, and what was skipped in each file."""

    data: pa.Table
    files: list[str]
    malformed: dict[str, int]

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())


def local_logs_dir(source: Source, settings: Settings) -> Path:
    """Where the local path keeps the source's log files: ``<samples>/<local.sample>``."""
    if not source.local.sample:
        raise ValueError(f"source '{source.name}': field 'local.sample' is required by its loader")
    return settings.samples_dir / source.local.sample


def loaded_log_files(catalog: Catalog, identifier: str) -> set[str]:
    """The ``log_file`` values already in the lake table (empty for a new table)."""
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        return set()
    if "log_file" not in {f.name for f in table.schema().fields}:
        return set()
    column = table.scan(selected_fields=("log_file",)).to_arrow().column("log_file")
    return set(pc.unique(column).to_pylist()) - {None}


def read_log_files(files: list[Path], root: Path) -> LogRead:
    """Normalise ``files`` (all under ``root``) with DuckDB into the flat raw-table shape.

    ``log_file`` is the path relative to ``root`` (a deployment may keep a folder per host).
    """
    prefix = root.as_posix().rstrip("/") + "/"
    paths = [f.as_posix() for f in files]
    if any(not p.startswith(prefix) for p in paths):
        raise ValueError(f"log files must lie under {root}")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ reaches Arrow tagged UTC
        con.execute(READ_LINES, {"files": paths})
        data = con.sql(
            NORMALISE,
            params={"prefix_len": len(prefix), "structure": json.dumps(EVENT_STRUCTURE)},
        ).to_arrow_table()
        counts = con.execute(LINE_COUNTS, {"prefix_len": len(prefix)}).fetchall()
    finally:
        con.close()
    return LogRead(
        data=data,
        files=sorted(p[len(prefix) :] for p in paths),
        malformed={name: bad for name, _, bad in counts if bad},
    )


def log_file_time(path: Path) -> datetime | None:
    """The rotation time in a log file's name, or None when the name carries none."""
    match = FILE_DATE.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1) + (match.group(2) or "0000"), "%Y%m%d%H%M").replace(
        tzinfo=UTC
    )


def in_window(path: Path, window: Window | None) -> bool:
    if window is None:
        return True
    stamp = log_file_time(path)
    return stamp is not None and stamp in window


def _deployment_dirs(source: Source, logs_dir: Path) -> list[Path]:
    """Every table's folder, checked before anything is read: a wrong path fails the run whole."""
    if not logs_dir.is_dir():
        raise FileNotFoundError(
            f"source '{source.name}': tracking log directory {logs_dir} does not exist; the "
            "log files must be synced (or generated locally) there before the load"
        )
    dirs = []
    for table in source.tables:
        if not table.namespace:
            raise ValueError(
                f"source '{source.name}': table '{table.entity}' needs a 'namespace' naming "
                "its Open edX deployment"
            )
        folder = logs_dir / table.namespace
        if not folder.is_dir():
            raise FileNotFoundError(
                f"source '{source.name}': no log directory {folder} for deployment "
                f"'{table.namespace}'"
            )
        dirs.append(folder)
    return dirs


def load_tracking_logs(
    source: Source,
    *,
    logs_dir: Path,
    catalog: Catalog,
    settings: Settings,
    window: Window | None = None,
) -> list[CommitResult]:
    """Load the log files not yet in the lake, one Iceberg transaction per deployment table.

    Append, not merge: a rotated ``.gz`` file never changes, the lake says which files are in,
    and each table's files land in one transaction, so a file is wholly in or wholly out and a
    rerun reads nothing it loaded. A merge on ``event_hash`` would add nothing to that but a
    delete scanning every data file of an ever-growing table on each load. ``event_hash``
    stays in the table for staging to deduplicate events a deployment logged twice. A file
    with no valid line leaves no trace in the lake, so it is read (and reported) again.

    With a ``window`` (a backfill run) only the files rotated within it are candidates; the
    lake still says which of them are in, so a backfilled window lands once however often it
    runs, and a window a scheduled run already loaded adds nothing.
    """
    folders = _deployment_dirs(source, logs_dir)
    extracted_at = datetime.now(UTC)
    sync_id = int(extracted_at.timestamp())
    results = []
    for folder, lake_table in zip(folders, source.raw_table_names(), strict=True):
        identifier = f"{namespace(settings.env)}.{lake_table}"
        loaded = loaded_log_files(catalog, identifier)
        new = sorted(
            f
            for f in folder.rglob(LOG_GLOB)
            if f.relative_to(folder).as_posix() not in loaded and in_window(f, window)
        )
        if not new:
            scope = f" for {window}" if window else ""
            log.info("%s: no new log files in %s%s", identifier, folder, scope)
            continue
        read = read_log_files(new, folder)
        if read.malformed:
            log.warning(
                "%s: skipped %d malformed line(s): %s",
                identifier,
                read.malformed_total,
                ", ".join(f"{name}: {n}" for name, n in read.malformed.items()),
            )
        log.info(
            "%s: %d event(s) from %d new log file(s) (%s .. %s)",
            identifier,
            read.data.num_rows,
            len(read.files),
            read.files[0],
            read.files[-1],
        )
        results.append(
            commit(
                catalog,
                identifier,
                airbyte_shape(read.data, extracted_at, sync_id),
                disposition=WriteDisposition.APPEND,
            )
        )
    return results
