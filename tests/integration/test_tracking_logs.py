"""Open edX tracking logs through DuckDB into the raw lake: every valid line lands once with
stable types, truncated lines are skipped and reported, and only files the lake has not seen
are read."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.types import LongType, StringType, TimestamptzType

from ol_platform.ingest import tracking_logs
from ol_platform.ingest.airbyte_shape import AIRBYTE_COLUMNS
from ol_platform.ingest.tracking_logs import load_tracking_logs, local_logs_dir
from ol_platform.samples.mitxonline_app import course_run_keys
from ol_platform.samples.tracking_logs import DEPLOYMENTS, write_tracking_logs
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

RAW = "ol_warehouse_local_raw"


@pytest.fixture
def source():
    return load_registry(DEFAULT_REGISTRY)["tracking_logs"]


@pytest.fixture
def logs_dir(source, settings) -> Path:
    return local_logs_dir(source, settings)


def identifiers(source) -> dict[str, str]:
    """Deployment -> lake table identifier."""
    names = source.raw_table_names()
    return {t.namespace: f"{RAW}.{n}" for t, n in zip(source.tables, names, strict=True)}


def load(source, logs_dir, catalog, settings):
    return load_tracking_logs(source, logs_dir=logs_dir, catalog=catalog, settings=settings)


def scan(catalog, identifier: str) -> list[dict]:
    return catalog.load_table(identifier).scan().to_arrow().to_pylist()


def original_events(files: list[Path]) -> dict[str, dict]:
    """md5 of each valid line -> the parsed line, read independently of the loader."""
    events = {}
    for path in files:
        with gzip.open(path, "rt") as f:
            for line in f.read().splitlines():
                try:
                    events[hashlib.md5(line.encode()).hexdigest()] = json.loads(line)
                except ValueError:
                    continue
    return events


def expected_event(raw):
    """``event`` as JSON: a JSON-encoded object string decoded, any other string kept as is."""
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw)
        except ValueError:
            return raw
        return decoded if isinstance(decoded, dict | list) else raw
    return raw


def test_table_names_are_the_lakes_own(source):
    assert identifiers(source) == {
        "mitxonline": f"{RAW}.raw__mitxonline__openedx__tracking_logs",
        "xpro": f"{RAW}.raw__xpro__openedx__tracking_logs",
        "mitx": f"{RAW}.raw__mitx__openedx__tracking_logs",
        "edxorg": f"{RAW}.raw__edxorg__s3__tracking_logs",
    }


def test_full_load_lands_every_valid_line_and_reports_malformed_ones(
    source, logs_dir, catalog, settings, caplog
):
    batch = write_tracking_logs(logs_dir)
    assert all(n > 0 for n in batch.malformed_lines.values())
    with caplog.at_level(logging.WARNING, logger=tracking_logs.__name__):
        results = load(source, logs_dir, catalog, settings)
    ids = identifiers(source)
    assert {r.table: r.rows_in_batch for r in results} == {
        ids[d]: batch.valid_lines[d] for d in ids
    }
    assert {r.table: r.total_rows for r in results} == {ids[d]: batch.valid_lines[d] for d in ids}
    for deployment, identifier in ids.items():
        rows = scan(catalog, identifier)
        assert len(rows) == batch.valid_lines[deployment]
        assert set(AIRBYTE_COLUMNS) <= set(rows[0])
        assert {r["log_file"] for r in rows} == {p.name for p in batch.files[deployment]}
        assert len({r["event_hash"] for r in rows}) == len(rows)
        skipped = batch.malformed_lines[deployment]
        assert any(
            identifier in m and f"skipped {skipped} malformed line(s)" in m for m in caplog.messages
        ), caplog.messages


def test_columns_have_stable_types_and_match_the_original_lines(
    source, logs_dir, catalog, settings
):
    batch = write_tracking_logs(logs_dir)
    load(source, logs_dir, catalog, settings)
    mitxonline_runs = {f"course-v1:MITxT+{n}+{t}" for n, t in course_run_keys()}
    for deployment, identifier in identifiers(source).items():
        schema = catalog.load_table(identifier).schema()
        assert isinstance(schema.find_field("time").field_type, TimestamptzType)
        assert isinstance(schema.find_field("user_id").field_type, LongType)
        for name in ("event", "context", "course_id", "event_hash", "log_file"):
            assert isinstance(schema.find_field(name).field_type, StringType), name

        originals = original_events(batch.files[deployment])
        rows = scan(catalog, identifier)
        assert len(originals) == len(rows)
        seen = set()
        for row in rows:
            orig = originals[row["event_hash"]]  # event_hash is md5 of the original line
            context = orig["context"]
            assert row["time"] == datetime.fromisoformat(orig["time"])
            assert row["time"].utcoffset().total_seconds() == 0
            assert row["course_id"] == (context["course_id"] or None)
            assert row["user_id"] == (context["user_id"] or None)
            assert row["org_id"] == context["org_id"] and row["path"] == context["path"]
            assert json.loads(row["context"]) == context
            assert json.loads(row["event"]) == expected_event(orig["event"])
            for key in (
                *("username", "event_type", "event_source", "ip", "agent", "page", "host"),
                *("name", "accept_language", "referer"),
            ):
                assert row[key] == orig[key], key
            assert row["session"] == orig["session"]
            kind = type(orig["event"]).__name__
            seen.add((kind, type(json.loads(row["event"])).__name__))
            seen.add("micro" if "." in orig["time"] else "seconds")
        # Both shapes of ``event`` and both time formats were exercised, not just one.
        assert {("dict", "dict"), ("str", "dict"), ("str", "str"), "micro", "seconds"} <= seen

        courses = {r["course_id"] for r in rows} - {None}
        assert courses <= set(DEPLOYMENTS[deployment].course_ids)
        if deployment == "mitxonline":
            assert courses <= mitxonline_runs
        assert any(r["course_id"] is None for r in rows), "anonymous events without a course"


def test_rerun_reads_and_adds_nothing(source, logs_dir, catalog, settings, monkeypatch):
    write_tracking_logs(logs_dir)
    load(source, logs_dir, catalog, settings)
    ids = identifiers(source)
    snapshots = {i: catalog.load_table(i).current_snapshot().snapshot_id for i in ids.values()}
    reads = []
    monkeypatch.setattr(tracking_logs, "read_log_files", lambda *a: reads.append(a))
    assert load(source, logs_dir, catalog, settings) == []
    assert reads == []
    assert {i: catalog.load_table(i).current_snapshot().snapshot_id for i in ids.values()} == (
        snapshots
    )


def _spy_reads(monkeypatch) -> dict[str, list[str]]:
    """Record which files each load hands to DuckDB, per deployment folder."""
    reads: dict[str, list[str]] = {}
    real = tracking_logs.read_log_files

    def spy(files, root):
        reads[root.name] = sorted(f.name for f in files)
        return real(files, root)

    monkeypatch.setattr(tracking_logs, "read_log_files", spy)
    return reads


def test_a_later_batch_is_read_alone_and_rows_add_up(
    source, logs_dir, catalog, settings, monkeypatch
):
    first = write_tracking_logs(logs_dir, batch=0)
    load(source, logs_dir, catalog, settings)
    second = write_tracking_logs(logs_dir, batch=1)
    reads = _spy_reads(monkeypatch)
    results = {r.table: r for r in load(source, logs_dir, catalog, settings)}
    for deployment, identifier in identifiers(source).items():
        new = sorted(p.name for p in second.files[deployment])
        assert not set(new) & {p.name for p in first.files[deployment]}
        assert reads[deployment] == new
        assert results[identifier].rows_in_batch == second.valid_lines[deployment]
        total = first.valid_lines[deployment] + second.valid_lines[deployment]
        assert results[identifier].total_rows == total
        assert len(scan(catalog, identifier)) == total


def test_a_late_file_older_than_the_loaded_ones_is_still_loaded(
    source, logs_dir, catalog, settings, monkeypatch, tmp_path
):
    """New files are those absent from the lake, not those after the newest loaded name."""
    batch = write_tracking_logs(logs_dir)
    late = batch.files["xpro"][1]
    parked = shutil.move(late, tmp_path / late.name)
    load(source, logs_dir, catalog, settings)
    shutil.move(parked, late)
    reads = _spy_reads(monkeypatch)
    results = load(source, logs_dir, catalog, settings)
    assert reads == {"xpro": [late.name]}
    assert [r.total_rows for r in results] == [batch.valid_lines["xpro"]]


def test_missing_logs_directory_fails_clearly_and_writes_nothing(
    source, logs_dir, catalog, settings
):
    with pytest.raises(
        FileNotFoundError, match=rf"source 'tracking_logs'.*{re.escape(str(logs_dir))}"
    ):
        load(source, logs_dir, catalog, settings)
    write_tracking_logs(logs_dir)
    shutil.rmtree(logs_dir / "xpro")
    with pytest.raises(FileNotFoundError, match=re.escape(str(logs_dir / "xpro"))):
        load(source, logs_dir, catalog, settings)
    # Checked before anything is read: the deployment that was present did not load either.
    with pytest.raises((NoSuchTableError, NoSuchNamespaceError)):
        catalog.load_table(identifiers(source)["mitxonline"])


def test_sample_files_are_byte_for_byte_reproducible(tmp_path):
    a = write_tracking_logs(tmp_path / "a")
    b = write_tracking_logs(tmp_path / "b")
    assert a.valid_lines == b.valid_lines
    for deployment, files in a.files.items():
        for fa, fb in zip(files, b.files[deployment], strict=True):
            assert fa.name == fb.name and fa.read_bytes() == fb.read_bytes()
