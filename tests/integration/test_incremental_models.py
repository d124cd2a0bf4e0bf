"""Incremental event models on DuckDB over Iceberg: after new, late-arriving and updated events
land in the raw lake, an incremental run leaves every event model equal, row for row, to a
full refresh of the same data; it merges only the changed rows, and a rerun changes nothing."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ol_platform.ingest.tracking_logs import load_tracking_logs, local_logs_dir
from ol_platform.lake.catalog import catalog_env
from ol_platform.samples.systems import seed_lake
from ol_platform.samples.tracking_logs import BASE, write_tracking_logs
from ol_platform.sources.registry import load_registry
from ol_platform.transform.project import load_graph
from tests.integration.test_dbt_project import dbt

STAGING = [
    "stg__mitxonline__openedx__tracking_logs__user_activity",
    "stg__mitxpro__openedx__tracking_logs__user_activity",
    "stg__mitxresidential__openedx__tracking_logs__user_activity",
    "stg__edxorg__s3__tracking_logs__user_activity",
]
FACTS = ["tfact_video_events", "tfact_problem_events"]
# model -> its key
EVENT_MODELS = {
    **dict.fromkeys(STAGING, "useractivity_event_hash"),
    **dict.fromkeys(FACTS, "event_id"),
    "afact_video_engagement": "video_engagement_pk",
}
SCHEMA = "ol_warehouse_local"
RAW = f"{SCHEMA}_raw"


def identifier(model: str) -> str:
    layer = "staging" if model.startswith("stg__") else "dimensional"
    return f"{SCHEMA}_{layer}.{model}"


@pytest.fixture
def lake(settings, catalog):
    registry = load_registry()
    # The sources the event models read: the logs, and the account systems their learners
    # resolve to (taken from the manifest, so a model reading a new source is covered).
    subset = registry.landing(load_graph().upstream_source_tables(list(EVENT_MODELS)))
    failed = [r.error for r in seed_lake(settings, subset) if r.error]
    assert not failed, failed
    return catalog


@pytest.fixture
def run_dbt(settings, tmp_path):
    env = {"DBT_TARGET": "duckdb", "OLP_WAREHOUSE_SCHEMA": SCHEMA, **catalog_env(settings)}

    def run(*args: str) -> str:
        out = dbt(*args, env=env, target_path=tmp_path / "target")
        assert out.returncode == 0, out.stdout[-4000:]
        return out.stdout

    return run


def rows(catalog, model: str) -> list[dict]:
    data = catalog.load_table(identifier(model)).scan().to_arrow()
    data = data.select(sorted(data.column_names))
    return data.sort_by(EVENT_MODELS[model]).to_pylist()


def snapshot_id(catalog, model: str) -> int:
    return catalog.load_table(identifier(model)).current_snapshot().snapshot_id


def snapshot_ids(catalog) -> dict[str, set[int]]:
    return {
        m: {s.snapshot_id for s in catalog.load_table(identifier(m)).snapshots()}
        for m in EVENT_MODELS
    }


def records_changed(catalog, model: str, before: set[int]) -> tuple[int, int]:
    """Records added and deleted by the snapshots a run committed (a merge may commit a delete
    and an append snapshot, in one transaction)."""
    added = deleted = 0
    for snapshot in catalog.load_table(identifier(model)).snapshots():
        if snapshot.snapshot_id not in before:
            added += int(snapshot.summary["added-records"] or 0)
            deleted += int(snapshot.summary["deleted-records"] or 0)
    return added, deleted


def land_more_events(settings, catalog) -> dict[str, int]:
    """New log files (later hours), late ones (hours before every loaded event), and updates:
    events landed again with their payload corrected (same event hash, later extraction),
    as a re-normalised sync lands them. Returns how many of each."""
    source = load_registry()["tracking_logs"]
    logs_dir = local_logs_dir(source, settings)
    table = catalog.load_table(f"{RAW}.raw__mitxonline__openedx__tracking_logs")
    data = table.scan().to_arrow()  # the events already built
    new = write_tracking_logs(logs_dir, batch=1)
    late = write_tracking_logs(logs_dir, batch=-1)  # the six hours before BASE
    load_tracking_logs(source, logs_dir=logs_dir, catalog=catalog, settings=settings)

    plays = data.filter(
        pc.and_(
            pc.equal(data.column("event_type"), "play_video"),
            pc.and_(pc.is_valid(data.column("user_id")), pc.is_valid(data.column("course_id"))),
        )
    ).slice(0, 25)
    corrected = [
        json.dumps({**json.loads(e), "currentTime": 1.5}) for e in plays.column("event").to_pylist()
    ]
    now = datetime.now(UTC)
    replaced = {
        "event": corrected,
        "_airbyte_extracted_at": [now] * plays.num_rows,
        "_airbyte_raw_id": [str(uuid.uuid4()) for _ in range(plays.num_rows)],
    }
    updates = plays
    for name, values in replaced.items():
        field = plays.schema.field(name)
        index = plays.schema.get_field_index(name)
        updates = updates.set_column(index, field, pa.array(values, field.type))
    table.append(updates)
    return {
        "new": sum(new.valid_lines.values()),
        "late": sum(late.valid_lines.values()),
        "updated": updates.num_rows,
    }


def test_an_incremental_run_equals_a_full_refresh_row_for_row(settings, lake, run_dbt):
    catalog = lake
    selection = ["-s", *EVENT_MODELS]
    # The first build: the tables are created whole.
    run_dbt("run", "-s", *[f"+{m}" for m in EVENT_MODELS])
    before = {m: len(rows(catalog, m)) for m in EVENT_MODELS}
    assert all(before.values()), before

    landed = land_more_events(settings, catalog)
    assert landed["updated"] > 0
    committed = snapshot_ids(catalog)
    run_dbt("run", *selection)
    incremental = {m: rows(catalog, m) for m in EVENT_MODELS}

    # The merge wrote only what changed. Tables without a corrected event were only appended
    # to (a rebuild would have deleted every row); the others rewrote the data files holding
    # the corrected rows (copy-on-write), and every table grew by its new events exactly.
    changed = {m: records_changed(catalog, m, committed[m]) for m in EVENT_MODELS}
    grown = {m: added - deleted for m, (added, deleted) in changed.items()}
    assert sum(grown[m] for m in STAGING) == landed["new"] + landed["late"]
    assert grown == {m: len(incremental[m]) - before[m] for m in EVENT_MODELS}
    rewritten = {m for m, (_, deleted) in changed.items() if deleted}
    # The engagement rows of learner-video pairs with new events are recomputed and replaced.
    assert rewritten == {STAGING[0], "tfact_video_events", "afact_video_engagement"}, changed

    # Late events (logged before every event of the first build) are in; the update is seen.
    times = [r["event_timestamp"] for r in incremental["tfact_video_events"]]
    assert sum(r["video_played_count"] for r in incremental["afact_video_engagement"]) == sum(
        r["event_type"] == "play_video" for r in incremental["tfact_video_events"]
    )
    assert min(times) < BASE
    corrected = [
        r
        for r in incremental["tfact_video_events"]
        if r["event_type"] == "play_video" and r["video_position"] == 1.5
    ]
    assert len(corrected) == landed["updated"]

    # A rerun with nothing new commits nothing.
    snapshots = {m: snapshot_id(catalog, m) for m in EVENT_MODELS}
    run_dbt("run", *selection)
    assert {m: snapshot_id(catalog, m) for m in EVENT_MODELS} == snapshots

    run_dbt("run", "--full-refresh", *selection)
    for model in EVENT_MODELS:
        full = rows(catalog, model)
        assert len(full) > before[model], model
        assert incremental[model] == full, model


def land_new_structure(settings, catalog, course_id: str) -> None:
    """A later retrieval of one run's course structure: its next published revision."""
    import dataclasses
    import hashlib
    import io

    from ol_platform.exports.course_blocks import SCHEMA as BLOCKS
    from ol_platform.exports.course_blocks import course_blocks
    from ol_platform.lake.writer import WriteDisposition, commit
    from ol_platform.samples.systems import studio_courses
    from ol_platform.simulators.studio import course_archive

    course = dataclasses.replace(studio_courses("mitxonline")[course_id], revision=1)
    data = course_archive(course)
    blocks = course_blocks(
        io.BytesIO(data),
        course_id=course_id,
        course_content_hash=hashlib.sha256(data).hexdigest(),
        retrieved_at=datetime.now(UTC),
    )
    table = f"{RAW}.raw__mitxonline__openedx__api__course_blocks"
    commit(catalog, table, pa.Table.from_pylist(blocks, schema=BLOCKS),
           disposition=WriteDisposition.APPEND)  # fmt: skip


def test_a_new_course_structure_retitles_only_its_runs_engagement(settings, lake, run_dbt):
    catalog = lake
    engagement = "afact_video_engagement"
    run_dbt("run", "-s", f"+{engagement}")
    before = rows(catalog, engagement)
    titled = [r for r in before if r["platform"] == "mitxonline" and r["section_title"]]
    assert titled, "the sample's exported runs have engagement"
    course_id = titled[0]["courserun_readable_id"]
    assert all("(rev 0)" in r["section_title"] for r in before if r["section_title"])

    land_new_structure(settings, catalog, course_id)
    structure = ["stg__mitxonline__openedx__api__course_structure", "dim_course_content"]
    run_dbt("run", "-s", *structure, "dim_video")
    committed = {s.snapshot_id for s in catalog.load_table(identifier(engagement)).snapshots()}
    run_dbt("run", "-s", engagement)
    after = rows(catalog, engagement)

    # That run's rows now name the new revision's sections (replaced, copy-on-write, in
    # the files holding them); every other row is as it was.
    ours = [r for r in after if r["courserun_readable_id"] == course_id]
    assert ours and all("(rev 1)" in r["section_title"] for r in ours)
    added, deleted = records_changed(catalog, engagement, committed)
    assert added == deleted >= len(ours)
    others = [r for r in after if r["courserun_readable_id"] != course_id]
    assert others == [r for r in before if r["courserun_readable_id"] != course_id]

    run_dbt("run", "--full-refresh", "-s", engagement)
    assert rows(catalog, engagement) == after


def read_parquet_files(target, model: str) -> list[str] | None:
    """The data files the compiled SQL of ``model``'s last run reads directly (the new rows of
    its input); None when it reads none that way."""
    (compiled,) = target.glob(f"compiled/**/{model}.sql")
    found = re.search(r"read_parquet\(\[([^\]]*)\]", compiled.read_text())
    return re.findall(r"'([^']+)'", found.group(1)) if found else None


def files_added(table) -> list[str]:
    """The data files the table's current snapshot added."""
    snapshot = table.current_snapshot()
    return [
        entry.data_file.file_path.removeprefix("file://")
        for manifest in snapshot.manifests(table.io)
        if manifest.added_snapshot_id == snapshot.snapshot_id
        for entry in manifest.fetch_manifest_entry(table.io)
    ]


def test_a_run_reads_the_files_landed_since_its_last_run_even_a_late_commit(
    settings, lake, run_dbt, tmp_path
):
    catalog = lake
    model = STAGING[0]
    raw_name = "raw__mitxonline__openedx__tracking_logs"
    raw = catalog.load_table(f"{RAW}.{raw_name}")
    run_dbt("run", "-s", "+tfact_video_events")

    # Each model's table records the snapshot of each input it read.
    staged = catalog.load_table(identifier(model))
    assert staged.properties[f"olp.read.{RAW}.{raw_name}"] == str(
        raw.current_snapshot().snapshot_id
    )
    fact = catalog.load_table(identifier("tfact_video_events"))
    assert fact.properties[f"olp.read.{SCHEMA}_staging.{model}"] == str(
        staged.current_snapshot().snapshot_id
    )
    before = len(rows(catalog, model))

    # A load that commits now, although extracted two days before the newest landing (a sync
    # that ran long, a re-landed backfill): beyond any ingestion-time lookback.
    data = raw.scan().to_arrow()
    newest = pc.max(data["_airbyte_extracted_at"]).as_py()
    late = data.slice(0, 10)
    for name, values in {
        "event_hash": [uuid.uuid4().hex for _ in range(late.num_rows)],
        "_airbyte_raw_id": [str(uuid.uuid4()) for _ in range(late.num_rows)],
        "_airbyte_extracted_at": [newest - timedelta(days=2)] * late.num_rows,
    }.items():
        index = late.schema.get_field_index(name)
        late = late.set_column(
            index, late.schema.field(name), pa.array(values, late.schema.field(name).type)
        )
    raw.append(late)
    raw = catalog.load_table(f"{RAW}.{raw_name}")

    run_dbt("run", "-s", model)
    target = tmp_path / "target"
    # The run read the file that load added, and only it.
    assert read_parquet_files(target, model) == files_added(raw)
    after = rows(catalog, model)
    assert len(after) == before + late.num_rows
    assert set(late["event_hash"].to_pylist()) <= {r["useractivity_event_hash"] for r in after}
    assert catalog.load_table(identifier(model)).properties[f"olp.read.{RAW}.{raw_name}"] == str(
        raw.current_snapshot().snapshot_id
    )

    # Nothing landed since: the rerun reads no file and commits nothing.
    snapshot = snapshot_id(catalog, model)
    run_dbt("run", "-s", model)
    assert read_parquet_files(target, model) is None
    assert snapshot_id(catalog, model) == snapshot
