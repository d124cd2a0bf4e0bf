"""A backfill run loads its data interval, and only once, on real pyiceberg tables."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pyarrow.compute as pc
import pytest

from ol_platform.ingest.loaders import run_local_loader
from ol_platform.ingest.tracking_logs import load_tracking_logs, local_logs_dir
from ol_platform.ingest.window import SnapshotBackfillError, Window, backfill_window
from ol_platform.lake.naming import namespace
from ol_platform.sources.registry import load_registry
from tests.tracking_log_days import write_days

DAYS = [date(2024, 11, 24), date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27)]


def _rows_per_day(catalog, settings, table: str) -> Counter:
    data = catalog.load_table(f"{namespace(settings.env)}.{table}").scan().to_arrow()
    days = pc.strftime(data.column("time"), format="%Y-%m-%d").to_pylist()
    return Counter(date.fromisoformat(d) for d in days)


@pytest.fixture
def tracking(settings):
    source = load_registry()["tracking_logs"]
    expected = write_days(local_logs_dir(source, settings), DAYS)
    return source, expected


def _load(source, settings, catalog, window):
    return load_tracking_logs(
        source,
        logs_dir=local_logs_dir(source, settings),
        catalog=catalog,
        settings=settings,
        window=window,
    )


def test_a_backfill_window_loads_only_the_files_rotated_within_it(tracking, settings, catalog):
    source, expected = tracking
    window = Window(datetime(2024, 11, 24, tzinfo=UTC), datetime(2024, 11, 27, tzinfo=UTC))
    _load(source, settings, catalog, window)
    for table in source.raw_table_names():
        assert _rows_per_day(catalog, settings, table) == {d: expected[d] for d in DAYS[:3]}


def test_rerunning_a_backfilled_window_duplicates_nothing(tracking, settings, catalog):
    source, expected = tracking
    half_days = [
        Window(datetime(2024, 11, 25, 12, tzinfo=UTC), datetime(2024, 11, 26, tzinfo=UTC)),
        Window(datetime(2024, 11, 25, tzinfo=UTC), datetime(2024, 11, 26, tzinfo=UTC)),
    ]
    for window in half_days + half_days:
        _load(source, settings, catalog, window)
    # A scheduled run afterwards loads the rest, still without doubling the backfilled day.
    _load(source, settings, catalog, None)
    for table in source.raw_table_names():
        assert _rows_per_day(catalog, settings, table) == expected


def test_a_backfill_run_of_a_snapshot_source_is_refused_before_loading(settings, catalog):
    source = load_registry()["mitxonline_app"]

    class Run:
        run_type = "backfill"

    context = {
        "dag_run": Run(),
        "data_interval_start": datetime(2024, 11, 24, tzinfo=UTC),
        "data_interval_end": datetime(2024, 11, 25, tzinfo=UTC),
    }
    with pytest.raises(SnapshotBackfillError, match="snapshot source.*resync"):
        backfill_window(source, context)
    with pytest.raises(SnapshotBackfillError, match="cannot select a window"):
        run_local_loader(
            source,
            catalog=catalog,
            settings=settings,
            resolve=lambda _: None,
            window=Window(context["data_interval_start"], context["data_interval_end"]),
        )
    for table in source.raw_table_names():
        assert not catalog.table_exists(f"{namespace(settings.env)}.{table}")


def test_an_odl_video_window_asks_from_its_start_and_keeps_rows_before_its_end(settings, catalog):
    from ol_platform.ingest.odl_video import load_odl_video
    from ol_platform.simulators.http import BackgroundServer
    from ol_platform.simulators.odl_video import ODLVideoAPI

    source = load_registry()["odl_video"]
    api = ODLVideoAPI(token="odl-token", video_count=80, collection_count=6)
    moments = sorted({datetime.fromisoformat(v["updated_at"]) for v in api.data("videos")})
    window = Window(moments[10], moments[40])
    videos = f"{namespace(settings.env)}.raw__odl_video__api__videos"
    with BackgroundServer(api.handler()) as server:
        for _ in range(2):  # the same window twice: merged on key, nothing added
            load_odl_video(
                source,
                base_url=server.url,
                token="odl-token",
                catalog=catalog,
                settings=settings,
                window=window,
            )
            keys = catalog.load_table(videos).scan().to_arrow().column("key").to_pylist()
            expected = {
                v["key"]
                for v in api.data("videos")
                if datetime.fromisoformat(v["updated_at"]) in window
            }
            assert sorted(keys) == sorted(expected) and len(keys) == len(set(keys))
            assert 20 < len(keys) < 80  # the window, not the whole service
    served = api.served("videos")
    assert served and all(r.query["updated_since"] == window.start.isoformat() for r in served)


def test_an_edxorg_window_loads_the_dumps_modified_within_it_once(tmp_path, settings, catalog):
    import os

    from ol_platform.ingest.edxorg_archives import FILE_MODIFIED, load_edxorg_archives
    from ol_platform.samples import edxorg_archives as sample

    source = load_registry()["edxorg_archives"]
    bucket = tmp_path / "landing"
    size = sample.SampleSize(shared_runs=3, learners_per_run=5, users=40)
    days = {
        1: datetime(2024, 11, 24, 10, tzinfo=UTC),
        2: datetime(2024, 11, 25, 10, tzinfo=UTC),
    }
    for day, stamp in days.items():
        for path in sample.write_day(bucket.resolve().as_uri(), day=day, size=size):
            os.utime(bucket / path, (stamp.timestamp(), stamp.timestamp()))
    day_one = Window(datetime(2024, 11, 24, tzinfo=UTC), datetime(2024, 11, 25, tzinfo=UTC))

    def load(window):
        return load_edxorg_archives(
            source,
            bucket_url=bucket.resolve().as_uri(),
            storage_options={},
            catalog=catalog,
            settings=settings,
            window=window,
        )

    def lake() -> dict[str, list]:
        """Each table's rows by file date (the course exports' blocks: by archive date)."""
        return {
            t: catalog.load_table(f"{namespace(settings.env)}.{t}")
            .scan()
            .to_arrow()
            .column("retrieved_at" if t.endswith("course_blocks") else FILE_MODIFIED)
            .to_pylist()
            for t in source.raw_table_names()
        }

    load(day_one)
    first = lake()
    assert all(first.values()) and all(m in day_one for ms in first.values() for m in ms)
    load(day_one)  # the same window again: merged on row_hash + course_id, nothing added
    assert {t: len(v) for t, v in lake().items()} == {t: len(v) for t, v in first.items()}
    load(None)  # the next scheduled run takes the rest: day two's dumps
    after = lake()
    assert all(len(after[t]) > len(first[t]) for t in after)
    assert {m.date() for ms in after.values() for m in ms} == {d.date() for d in days.values()}
