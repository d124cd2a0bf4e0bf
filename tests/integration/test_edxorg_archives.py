"""edX.org archives: TSV dumps in a landing bucket (S3 on a moto server, or a local directory)
read by dlt's filesystem source, incrementally on file modification date, merged on
row_hash + course_id; a dump missing an expected column fails clearly and writes nothing. The
course exports beside them land as course blocks, once per archive content."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyarrow.compute as pc
import pytest
from airflow.sdk import Connection

from ol_platform.ingest.edxorg_archives import (
    FILE_MODIFIED,
    FILE_PATH,
    course_key_from_path,
    load_edxorg_archives,
)
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.ingest.landing_bucket import BucketLocation, landing_bucket
from ol_platform.samples import edxorg_archives as sample
from ol_platform.samples.mitxonline_app import course_run_keys
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

NS = "ol_warehouse_local_raw"
SIZE = sample.SampleSize(shared_runs=6, learners_per_run=12, users=200)


def lake_table(table: str) -> str:
    return f"{NS}.raw__edxorg__s3__tables__{table}"


@pytest.fixture
def source():
    return load_registry(DEFAULT_REGISTRY)["edxorg_archives"]


@pytest.fixture
def s3_bucket(moto_s3: str) -> BucketLocation:
    conn = Connection(
        conn_id="landing_bucket",
        conn_type="aws",
        login="testing",
        password="not-logged",
        extra=json.dumps({"endpoint_url": moto_s3, "bucket": "ol-landing"}),
    )
    return landing_bucket(conn)


@pytest.fixture
def local_bucket(tmp_path: Path) -> BucketLocation:
    # The way the demo passes it: an AIRFLOW_CONN_* JSON document.
    document = json.dumps({"conn_type": "fs", "extra": {"path": str(tmp_path / "landing")}})
    return landing_bucket(Connection.from_json(document, conn_id="landing_bucket"))


def load(source, bucket: BucketLocation, catalog, settings):
    results = load_edxorg_archives(
        source,
        bucket_url=bucket.url,
        storage_options=bucket.storage_options,
        catalog=catalog,
        settings=settings,
    )
    return {
        r.table.removeprefix(f"{NS}.raw__edxorg__s3__tables__").removeprefix(
            f"{NS}.raw__edxorg__s3__"
        ): r
        for r in results
    }


def dump_tables(results: dict) -> dict:
    """The results of the TSV dump tables (not the course exports' blocks)."""
    return {t: r for t, r in results.items() if t in sample.TABLES}


def dump_files(written: dict[str, int]) -> dict[str, int]:
    return {p: n for p, n in written.items() if p.startswith(f"{sample.PREFIX}/")}


def distinct_rows(*days: int) -> dict[str, int]:
    """Oracle: distinct (course folder, data line) per table over the dumps of ``days``."""
    seen: dict[str, set[tuple[str, str]]] = {t: set() for t in sample.TABLES}
    for day in days:
        for path, text in sample.dumps(size=SIZE, day=day).items():
            table, _, folder = path.removeprefix(f"{sample.PREFIX}/").split("/")[:3]
            seen[table] |= {(folder, line) for line in text.splitlines()[1:]}
    return {t: len(rows) for t, rows in seen.items()}


def snapshots(catalog) -> dict[str, int]:
    return {
        t: catalog.load_table(lake_table(t)).current_snapshot().snapshot_id for t in sample.TABLES
    }


def test_full_load_from_s3_and_a_rerun_adds_nothing(source, s3_bucket, catalog, settings):
    written = sample.write_day(s3_bucket.url, s3_bucket.storage_options, day=1, size=SIZE)
    assert all(p.startswith((sample.PREFIX, sample.COURSE_XML_PREFIX)) for p in written)

    first = dump_tables(load(source, s3_bucket, catalog, settings))
    expected = sample.rows_by_table(written)
    assert {t: r.rows_in_batch for t, r in first.items()} == expected
    assert {t: r.total_rows for t, r in first.items()} == distinct_rows(1)

    enrollments = catalog.load_table(lake_table("student_courseenrollment")).scan().to_arrow()
    courses = set(enrollments.column("course_id").to_pylist())
    shared = {sample.course_id(n, r) for n, r in course_run_keys()[:6]}
    edx_only = {sample.course_id(n, r) for n, r in sample.EDXORG_ONLY}
    assert courses == shared | edx_only
    # auth_user has no course_id column: it comes from the run folder of the file.
    users = catalog.load_table(lake_table("auth_user")).scan().to_arrow()
    assert set(users.column("course_id").to_pylist()) == courses
    row = users.filter(
        pc.equal(users.column("course_id"), sample.course_id(*sample.EDXORG_ONLY[0]))
    )
    assert (
        row.column(FILE_PATH)[0]
        .as_py()
        .startswith(f"{sample.PREFIX}/auth_user/prod/MITx-6.00.1x-2T2023/")
    )
    assert len(row.column("row_hash")[0].as_py()) == 64
    # Dumps are unquoted: JSON state keeps its quotes; NULL is a null.
    modules = catalog.load_table(lake_table("courseware_studentmodule")).scan().to_arrow()
    assert json.loads(modules.column("state")[0].as_py())["done"] is True
    assert users.column("last_login").null_count > 0
    assert "NULL" not in users.column("last_login").to_pylist()

    before = snapshots(catalog)
    assert load(source, s3_bucket, catalog, settings) == {}, "no new file: nothing committed"
    assert snapshots(catalog) == before


def test_second_day_is_read_incrementally_and_merged(source, s3_bucket, catalog, settings):
    sample.write_day(s3_bucket.url, s3_bucket.storage_options, day=1, size=SIZE)
    load(source, s3_bucket, catalog, settings)
    day_one = max(
        catalog.load_table(lake_table("student_courseenrollment"))
        .scan(selected_fields=(FILE_MODIFIED,))
        .to_arrow()
        .column(FILE_MODIFIED)
        .to_pylist()
    )
    time.sleep(1.1)  # S3 modification dates have second resolution; days are apart anyway
    written = sample.write_day(s3_bucket.url, s3_bucket.storage_options, day=2, size=SIZE)
    new_run = sample.run_directory(*sample.NEW_ON_DAY_2)
    written = dump_files(written)
    assert len(written) == 3 * (1 + sample.REEXPORTED_ON_DAY_2)
    assert sum(new_run in p for p in written) == 3

    second = dump_tables(load(source, s3_bucket, catalog, settings))
    # Only the day's new and re-exported files were read, every row of them.
    assert {t: r.rows_in_batch for t, r in second.items()} == sample.rows_by_table(written)
    assert {t: r.total_rows for t, r in second.items()} == distinct_rows(1, 2)

    # A changed enrollment keeps both versions; the newer file holds the upgraded one.
    enrollments = catalog.load_table(lake_table("student_courseenrollment")).scan().to_arrow()
    by_id: dict[str, list[dict]] = {}
    for row in enrollments.to_pylist():
        by_id.setdefault(row["id"], []).append(row)
    changed = {i: rows for i, rows in by_id.items() if len(rows) > 1}
    assert changed
    for rows in changed.values():
        old, new = sorted(rows, key=lambda r: r[FILE_MODIFIED])
        assert (old["mode"], new["mode"]) == ("audit", "verified")
        assert old[FILE_MODIFIED] <= day_one < new[FILE_MODIFIED]
    # Unchanged rows of a re-exported file were replaced in place, now dated by the new file.
    for path in (p for p in written if "student_courseenrollment" in p and new_run not in p):
        rows = enrollments.filter(pc.equal(enrollments.column(FILE_PATH), path)).to_pylist()
        assert sum(r[FILE_MODIFIED] > day_one for r in rows) == written[path]
        # What still carries day one's date is only the old versions of changed rows.
        assert {r["id"] for r in rows if r[FILE_MODIFIED] <= day_one} <= set(changed)

    before = snapshots(catalog)
    assert load(source, s3_bucket, catalog, settings) == {}
    assert snapshots(catalog) == before


def test_local_directory_bucket_and_a_file_landing_in_the_last_loaded_instant(
    source, local_bucket, catalog, settings
):
    assert local_bucket.url.startswith("file:///") and local_bucket.storage_options == {}
    root = Path(local_bucket.url.removeprefix("file://"))
    counts = sample.build_local(root, size=SIZE)  # what the demo calls
    first = dump_tables(load(source, local_bucket, catalog, settings))
    assert {t: r.total_rows for t, r in first.items()} == counts
    assert sample.write_day(local_bucket.url, size=SIZE) == {}, "unchanged dumps stay as they are"

    # A dump dated exactly at the lake's cursor was not loaded yet: it must be read, and
    # the files already loaded at that instant must not be read again.
    table = catalog.load_table(lake_table("auth_user")).scan().to_arrow()
    cursor = max(table.column(FILE_MODIFIED).to_pylist())
    late = root / sample.PREFIX / "auth_user/prod/MITx-7.00x-9T2099/late.tsv"
    late.parent.mkdir(parents=True)
    late.write_text("id\tusername\temail\tdate_joined\n9001\tlate\tlate@example.org\t2024-01-01\n")
    stamp = int(cursor.timestamp() * 1_000_000) * 1000
    os.utime(late, ns=(stamp, stamp))

    second = load(source, local_bucket, catalog, settings)
    assert set(second) == {"auth_user"}
    assert second["auth_user"].rows_in_batch == 1
    assert second["auth_user"].total_rows == first["auth_user"].total_rows + 1
    users = catalog.load_table(lake_table("auth_user")).scan().to_arrow()
    late_row = users.filter(pc.equal(users.column("username"), "late")).to_pylist()
    assert late_row[0]["course_id"] == "course-v1:MITx+7.00x+9T2099"


def test_a_dump_missing_a_column_fails_clearly_and_writes_nothing(
    source, local_bucket, catalog, settings
):
    sample.write_day(local_bucket.url, day=1, size=SIZE)
    load(source, local_bucket, catalog, settings)
    before = snapshots(catalog)
    sample.write_day(local_bucket.url, day=2, size=SIZE)  # valid changes in the same run
    root = Path(local_bucket.url.removeprefix("file://"))
    bad = f"{sample.PREFIX}/student_courseenrollment/prod/MITx-6.86x-3T2025/bad.tsv"
    (root / bad).parent.mkdir(parents=True)
    (root / bad).write_text("id\tuser_id\tcourse_id\tcreated\tis_active\n1\t2\tx\t2024-01-01\t1\n")

    with pytest.raises(Exception) as info:
        load(source, local_bucket, catalog, settings)
    chain, error = [], info.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    shape_errors = [e for e in chain if isinstance(e, FeedShapeError)]
    assert shape_errors, f"expected a FeedShapeError in {chain}"
    assert bad in str(shape_errors[0]) and "['mode']" in str(shape_errors[0])
    assert snapshots(catalog) == before, "no table changed, not even the valid ones"


def course_blocks(catalog):
    return catalog.load_table(f"{NS}.raw__edxorg__s3__course_blocks").scan().to_arrow()


def test_course_exports_land_as_course_blocks_once_per_content(
    source, local_bucket, catalog, settings
):
    """Every run's course export lands as its blocks, named, with the videos the tracking logs
    play; a rerun adds nothing; a changed export adds its new structure; an unreadable one fails
    the load by name after the others landed."""
    from ol_platform.samples.tracking_logs import video_ids

    sample.write_day(local_bucket.url, day=1, size=SIZE)
    first = load(source, local_bucket, catalog, settings)
    blocks = course_blocks(catalog)
    runs = {sample.course_id(n, r) for n, r in sample.course_runs(SIZE)}
    assert set(blocks.column("course_id").to_pylist()) == runs
    assert first["course_blocks"].rows_in_batch == blocks.num_rows
    one = sample.course_id(*sample.EDXORG_ONLY[0])
    rows = [r for r in blocks.to_pylist() if r["course_id"] == one]
    assert rows[0]["block_type"] == "course" and rows[0]["course_title"] == "MITx 6.00.1x"
    videos = {r["block_id"].rsplit("@", 1)[1] for r in rows if r["block_type"] == "video"}
    assert videos == set(video_ids(one))
    assert all(r["block_title"] for r in rows if r["block_type"] == "video")

    assert "course_blocks" not in load(source, local_bucket, catalog, settings), "rerun: no commit"

    # The run re-exported with more content; another archive is not a course export.
    root = Path(local_bucket.url.removeprefix("file://"))
    from ol_platform.simulators.studio import Course, course_archive

    number, run = sample.EDXORG_ONLY[0]
    (root / sample.course_xml_path(number, run)).write_bytes(
        course_archive(Course(course_id=one, name="MITx 6.00.1x", revision=1))
    )
    bad = root / sample.COURSE_XML_PREFIX / "MITx-6.00.2x-3T2023" / "broken.tar.gz"
    bad.write_bytes(b"not a tar.gz")
    with pytest.raises(Exception, match="broken.tar.gz") as info:
        load(source, local_bucket, catalog, settings)
    assert "1 course export(s) not landed" in str(info.value)
    after = course_blocks(catalog)
    hashes = {r["course_content_hash"] for r in after.to_pylist() if r["course_id"] == one}
    assert len(hashes) == 2, "the changed export's structure landed beside the first"
    assert after.num_rows > blocks.num_rows


def test_a_rerun_reads_only_the_course_exports_rewritten_since_they_landed(
    source, local_bucket, catalog, settings, monkeypatch
):
    """An archive whose course and modification time landed is not read again; a rewritten
    one is (and lands only if its bytes changed)."""
    import hashlib
    from types import SimpleNamespace

    from ol_platform.ingest import edxorg_archives

    sample.write_day(local_bucket.url, day=1, size=SIZE)
    load(source, local_bucket, catalog, settings)
    hashed: list[int] = []

    def sha256():
        hashed.append(1)
        return hashlib.sha256()

    monkeypatch.setattr(edxorg_archives, "hashlib", SimpleNamespace(sha256=sha256))
    assert "course_blocks" not in load(source, local_bucket, catalog, settings)
    assert hashed == [], "unchanged archives were read again"

    root = Path(local_bucket.url.removeprefix("file://"))
    number, run = sample.EDXORG_ONLY[0]
    archive = root / sample.course_xml_path(number, run)
    original = archive.read_bytes()
    later = archive.stat().st_mtime + 60
    os.utime(archive, (later, later))  # rewritten with the same bytes
    assert "course_blocks" not in load(source, local_bucket, catalog, settings)
    assert len(hashed) == 1

    from ol_platform.simulators.studio import Course, course_archive

    one = sample.course_id(number, run)
    archive.write_bytes(course_archive(Course(course_id=one, name="MITx 6.00.1x", revision=1)))
    hashed.clear()
    assert load(source, local_bucket, catalog, settings)["course_blocks"].rows_in_batch > 0
    assert len(hashed) == 1

    # Back to its first content: that content lands again, as the course's latest retrieval.
    archive.write_bytes(original)
    later = archive.stat().st_mtime + 120
    os.utime(archive, (later, later))
    assert load(source, local_bucket, catalog, settings)["course_blocks"].rows_in_batch > 0
    ours = [r for r in course_blocks(catalog).to_pylist() if r["course_id"] == one]
    latest = max(r["retrieved_at"] for r in ours)
    current = {r["course_content_hash"] for r in ours if r["retrieved_at"] == latest}
    assert current == {hashlib.sha256(original).hexdigest()}


def test_course_key_from_the_run_folder():
    assert course_key_from_path("MITx-6.86x-1T2023/f.tsv") == "course-v1:MITx+6.86x+1T2023"
    assert course_key_from_path("MITx-8.01-1x-3T2024/f.tsv") == "course-v1:MITx+8.01-1x+3T2024"
    assert course_key_from_path("f.tsv") is None
    assert course_key_from_path("misc/f.tsv") is None


def test_landing_bucket_from_connections(tmp_path):
    aws = landing_bucket(
        Connection(
            conn_id="landing_bucket",
            conn_type="aws",
            login="AKIA",
            password="s3cr3t",
            extra=json.dumps(
                {
                    "endpoint_url": "http://s3.local",
                    "bucket": "ol-landing",
                    "region_name": "us-east-1",
                }
            ),
        )
    )
    assert aws.url == "s3://ol-landing"
    assert aws.storage_options == {
        "key": "AKIA",
        "secret": "s3cr3t",
        "endpoint_url": "http://s3.local",
        "client_kwargs": {"region_name": "us-east-1"},
    }
    assert "s3cr3t" not in repr(aws) and "s3cr3t" not in str(aws)
    # No key pair: the worker's own AWS identity (IRSA, instance profile) is used.
    irsa = landing_bucket(
        Connection(conn_id="c", conn_type="aws", extra=json.dumps({"bucket": "b"}))
    )
    assert (irsa.url, irsa.storage_options) == ("s3://b", {})
    by_host = landing_bucket(
        Connection(conn_id="c", conn_type="generic", host=f"file://{tmp_path}")
    )
    assert by_host.url == tmp_path.as_uri()

    with pytest.raises(ValueError, match="connection 'c'.*needs extra 'bucket'"):
        landing_bucket(Connection(conn_id="c", conn_type="aws"))
    with pytest.raises(ValueError, match="type 'postgres' cannot hold a landing bucket"):
        landing_bucket(Connection(conn_id="c", conn_type="postgres", host="db"))
    with pytest.raises(ValueError, match="both the access key id") as info:
        landing_bucket(
            Connection(
                conn_id="c", conn_type="aws", password="s3cr3t", extra=json.dumps({"bucket": "b"})
            )
        )
    assert "s3cr3t" not in str(info.value)
