"""edX.org database archives: TSV table dumps in the landing bucket, read with dlt's
``filesystem`` source and merged into ``raw__edxorg__s3__tables__<table>``.

Files are read incrementally on their modification date. The cursor comes from the lake (the
newest ``_file_modification_date`` already committed, and which files carry it), not from
dlt's state, so a run that dies before its commit reads the same files again. Every row gets
``row_hash`` (a hash of its original columns) and ``course_id`` (from the row, else from the
run folder of its file) and is merged on both: the same learner appears in the export of each
of their courses, and a re-exported file replaces its unchanged rows instead of doubling them.

A file whose header lacks a column the platform relies on stops the whole load with
:class:`FeedShapeError` naming the file and the column; nothing is committed.

The course exports (OLX .tar.gz, one folder per course run under ``course_xml/``) become the
course blocks of ``raw__edxorg__s3__course_blocks`` (the registry's ``course_xml`` table), the
shape of the Open edX deployments' course structure: an archive lands when its bytes (sha256)
are not in the table yet, so an unchanged re-export adds nothing and a changed one adds the new
structure. An archive whose course and modification time already landed is not read again
(only a rewritten file is hashed). An unreadable archive fails the load after the others
landed, naming it.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv
from pyiceberg.catalog import Catalog
from pyiceberg.expressions import GreaterThanOrEqual

from ol_platform.exports.course_blocks import (
    BlocksRun,
    CourseArchive,
    CourseArchiveError,
    land_archives,
    landed_retrievals,
)
from ol_platform.ingest.dlt_runner import TablePlan, lake_cursor, run_to_lake
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.ingest.window import Window
from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import CommitResult, WriteDisposition
from ol_platform.settings import Settings
from ol_platform.sources.models import Source

if TYPE_CHECKING:  # dlt is imported when a load runs, not when DAGs are parsed
    from dlt.common.storages.fsspec_filesystem import FileItemDict
    from dlt.extract import DltResource
    from fsspec import AbstractFileSystem

PREFIX = "edxorg-raw-data/edxorg/raw_data/db_table"
COURSE_XML = "course_xml"  # the registry entity of the course exports
COURSE_XML_PREFIX = "edxorg-raw-data/edxorg/raw_data/course_xml"
FILE_GLOB = "**/*.tsv"
FILE_PATH = "_file_path"
FILE_MODIFIED = "_file_modification_date"
# Columns the downstream models rely on; other columns are kept as they come.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "auth_user": ("id", "username", "email", "date_joined"),
    "student_courseenrollment": ("id", "user_id", "course_id", "created", "mode", "is_active"),
    "courseware_studentmodule": ("id", "module_id", "student_id", "course_id", "modified"),
}
# Dumps are unquoted (JSON state keeps its quotes) and write NULL for a null.
PARSE = csv.ParseOptions(delimiter="\t", quote_char=False)
BLOCK_SIZE = 8 << 20


def course_key_from_path(relative_path: str) -> str | None:
    """``MITx-6.86x-1T2023/<file>`` -> ``course-v1:MITx+6.86x+1T2023``.

    Org and run hold no dash in edX course keys; the course number may, so it is the middle.
    """
    folder = relative_path.split("/", 1)[0] if "/" in relative_path else ""
    org, _, rest = folder.partition("-")
    number, _, run = rest.rpartition("-")
    if not (org and number and run):
        return None
    return f"course-v1:{org}+{number}+{run}"


def row_hashes(data: pa.Table) -> pa.Array:
    """sha256 of the row's original values, in column-name order (robust to column order)."""
    if data.num_rows == 0:
        return pa.array([], pa.string())
    columns = [data.column(name) for name in sorted(data.column_names)]
    joined = pc.binary_join_element_wise(
        *columns, "\t", null_handling="replace", null_replacement="\\N"
    )
    return pa.array(
        [hashlib.sha256(v.encode()).hexdigest() for v in joined.to_pylist()], pa.string()
    )


def read_dump(
    file: FileItemDict, table: str, path: str, relative_path: str, modified: datetime
) -> Iterator[pa.Table]:
    """Stream one dump file as string columns plus row_hash, course_id and the file columns."""
    with file.open(mode="rb") as f:
        header = f.readline().decode("utf-8").rstrip("\r\n").split("\t")
        missing = [c for c in REQUIRED_COLUMNS.get(table, ()) if c not in header]
        if missing:
            raise FeedShapeError(
                f"edX.org archive {path}: the header has no column(s) {missing} expected in "
                f"'{table}' (header: {header[:20]}); nothing was loaded"
            )
        path_course = course_key_from_path(relative_path)
        if "course_id" not in header and path_course is None:
            raise FeedShapeError(
                f"edX.org archive {path}: no 'course_id' column and no course run folder "
                "(<org>-<number>-<run>) in its path"
            )
        if not f.read(1):
            return  # a header alone: an export of a run with no rows
        f.seek(-1, 1)
        reader = csv.open_csv(
            f,
            read_options=csv.ReadOptions(column_names=header, block_size=BLOCK_SIZE),
            parse_options=PARSE,
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                null_values=["NULL"],
                strings_can_be_null=True,
            ),
        )
        for batch in reader:
            data = pa.Table.from_batches([batch])
            n = data.num_rows
            hashes = row_hashes(data)
            if "course_id" in header:
                data = data.set_column(
                    header.index("course_id"),
                    "course_id",
                    pc.coalesce(data.column("course_id"), pa.scalar(path_course, pa.string())),
                )
            else:
                data = data.append_column("course_id", pa.array([path_course] * n, pa.string()))
            yield (
                data.append_column("row_hash", hashes)
                .append_column(FILE_PATH, pa.array([path] * n, pa.string()))
                .append_column(
                    FILE_MODIFIED, pa.array([modified] * n, pa.timestamp("us", tz="UTC"))
                )
            )


def loaded_boundary(catalog: Catalog, identifier: str) -> tuple[datetime | None, set[str]]:
    """The newest file modification date in the lake and the files committed with it."""
    latest = lake_cursor(catalog, identifier, FILE_MODIFIED)
    if latest is None:
        return None, set()
    newest = (
        catalog.load_table(identifier)
        .scan(row_filter=GreaterThanOrEqual(FILE_MODIFIED, latest), selected_fields=(FILE_PATH,))
        .to_arrow()
    )
    return latest, set(newest.column(FILE_PATH).to_pylist())


def table_resource(
    table: str,
    bucket_url: str,
    fs: AbstractFileSystem,
    since: datetime | None,
    seen: set[str],
    until: datetime | None = None,
) -> DltResource:
    """dlt resource reading ``table``'s dumps modified at or after ``since``.

    The range is closed so a file landing in the same second as the last loaded one is not
    lost (S3 dates have second resolution); files already committed at that instant are
    skipped by path (so a file rewritten within that very second waits for its next change).
    ``until`` (a backfill window's end) excludes files modified at or after it.
    """
    import dlt
    from dlt.sources.filesystem import filesystem

    root = f"{bucket_url.rstrip('/')}/{PREFIX}/{table}/prod"
    files = filesystem(
        bucket_url=root,
        credentials=fs,
        file_glob=FILE_GLOB,
        incremental=dlt.sources.incremental("modification_date", initial_value=since),
    ).with_name(f"{table}_files")
    prefix = f"{PREFIX}/{table}/prod"
    files.add_filter(
        lambda item: (
            not (
                item["modification_date"] == since
                and posixpath.join(prefix, item["relative_path"]) in seen
            )
            and (until is None or item["modification_date"] < until)
        )
    )

    @dlt.transformer(name=table, write_disposition="append")
    def rows(items: list[FileItemDict]) -> Iterator[pa.Table]:
        for item in items:
            path = posixpath.join(prefix, item["relative_path"])
            yield from read_dump(
                item, table, path, item["relative_path"], item["modification_date"]
            )

    return files | rows


def load_edxorg_archives(
    source: Source,
    *,
    bucket_url: str,
    storage_options: dict[str, Any],
    catalog: Catalog,
    settings: Settings,
    window: Window | None = None,
) -> list[CommitResult]:
    """Load the dumps modified since the lake's boundary, or, for a backfill ``window``, the
    dumps modified within it (again if already loaded: the merge on row_hash and course_id
    makes a repeated file replace its own rows, never add to them)."""
    protocol = fsspec.utils.get_protocol(bucket_url)
    # A fresh client per run: a cached one would answer listings from its listing cache.
    fs = fsspec.filesystem(protocol, skip_instance_cache=True, **storage_options)
    resources, plans, courses = [], [], []
    for table in source.tables:
        lake_table = source.raw_table_name(table)
        if table.entity == COURSE_XML:
            courses.append(f"{namespace(settings.env)}.{lake_table}")
            continue
        if window is None:
            since, seen = loaded_boundary(catalog, f"{namespace(settings.env)}.{lake_table}")
            until = None
        else:
            since, seen, until = window.start, set(), window.end
        resources.append(table_resource(table.entity, bucket_url, fs, since, seen, until))
        plans.append(TablePlan(table.entity, lake_table, WriteDisposition.MERGE, table.primary_key))
    results = run_to_lake(source, resources, plans, catalog=catalog, settings=settings)
    for identifier in courses:
        run = land_course_exports(fs, bucket_url, catalog, identifier, window)
        if run.commit is not None:
            results.append(run.commit)
        if run.failed:
            raise CourseArchiveError(
                f"source '{source.name}': {len(run.failed)} course export(s) not landed "
                f"(the other {len(run.courses)} did): " + "; ".join(run.failed)
            )
    return results


def land_course_exports(
    fs: AbstractFileSystem,
    bucket_url: str,
    catalog: Catalog,
    identifier: str,
    window: Window | None = None,
) -> BlocksRun:
    """Land the blocks of the course exports under ``course_xml/<org>-<number>-<run>/`` whose
    bytes the table does not hold yet (for a backfill ``window``, of those modified within
    it); an archive outside a course-run folder is reported in the run's ``failed``."""
    root = fsspec.core.strip_protocol(bucket_url).rstrip("/")
    base = posixpath.join(root, COURSE_XML_PREFIX)
    archives, unplaced = [], []
    # An archive whose course and modification time the table holds is the file that landed:
    # reading (and hashing) it again would find what is there already.
    landed = landed_retrievals(catalog, identifier)
    for path in sorted(fs.glob(f"{base}/**/*.tar.gz")):
        relative = posixpath.relpath(path, base)
        course_id = course_key_from_path(relative)
        label = f"{bucket_url.rstrip('/')}/{posixpath.relpath(path, root)}"
        modified = fs.modified(path).astimezone(UTC)
        if window is not None and modified not in window:
            continue
        if course_id is None:
            unplaced.append(f"{label}: not in an <org>-<number>-<run> course-run folder")
            continue
        if (course_id, modified) in landed:
            continue
        digest = hashlib.sha256()
        with fs.open(path, "rb") as data:
            for chunk in iter(lambda data=data: data.read(BLOCK_SIZE), b""):
                digest.update(chunk)
        archives.append(
            CourseArchive(
                course_id=course_id,
                sha256=digest.hexdigest(),
                open=partial(fs.open, path, "rb"),
                retrieved_at=modified,
                label=label,
            )
        )
    run = land_archives(catalog, identifier, archives)
    run.failed = unplaced + run.failed
    return run
