"""MITPE, OLL and podcast feeds over real HTTP: replace and merge dispositions, the 80% replace
guard, and loud failures when a feed changes shape."""

from __future__ import annotations

import pytest
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.ingest.feeds import load_mitpe, load_oll, load_podcasts
from ol_platform.lake.writer import LoadRefusedError
from ol_platform.simulators import feeds
from ol_platform.simulators.http import BackgroundServer, JSONHandler
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

RAW = "ol_warehouse_local_raw"


def registry():
    return load_registry(DEFAULT_REGISTRY)


def rows(catalog, table: str) -> list[dict]:
    return catalog.load_table(f"{RAW}.{table}").scan().to_arrow().to_pylist()


def test_mitpe_replaces_and_refuses_a_truncated_feed(catalog, settings):
    source = registry()["mitpe"]
    with BackgroundServer(feeds.make_handler(rows=40)) as server:
        load_mitpe(source, base_url=server.url, catalog=catalog, settings=settings)
        load_mitpe(source, base_url=server.url, catalog=catalog, settings=settings)
    assert len(rows(catalog, "raw__mitpe__api__courses")) == 40, "replace, not append"
    with (
        BackgroundServer(feeds.make_handler(rows=20)) as server,
        pytest.raises(LoadRefusedError, match="80%"),
    ):
        load_mitpe(source, base_url=server.url, catalog=catalog, settings=settings)
    assert len(rows(catalog, "raw__mitpe__api__courses")) == 40


def test_oll_sheet_lands_with_normalised_column_names(catalog, settings):
    with BackgroundServer(feeds.make_handler(rows=30)) as server:
        load_oll(registry()["oll"], base_url=server.url, catalog=catalog, settings=settings)
    data = rows(catalog, "raw__oll__google_sheets__courses")
    assert len(data) == 30 and data[0]["oll_course"].startswith("Open Learning Library course")


def test_podcasts_merge_channels_and_episodes_on_readable_id(catalog, settings):
    source = registry()["podcasts"]
    with BackgroundServer(feeds.make_handler(rows=30)) as server:
        load_podcasts(source, base_url=server.url, catalog=catalog, settings=settings)
        load_podcasts(source, base_url=server.url, catalog=catalog, settings=settings)
    channels = rows(catalog, "raw__podcast__rss__channels")
    episodes = rows(catalog, "raw__podcast__rss__episodes")
    assert len(channels) == len(feeds.PODCASTS)
    assert len(episodes) == len(feeds.PODCASTS) * 10
    assert len({e["readable_id"] for e in episodes}) == len(episodes)
    assert episodes[0]["published_at"].tzinfo is not None


class ChangedSheet(JSONHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"Course name,Dept\nSomething,EECS\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_changed_sheet_names_the_missing_columns(catalog, settings):
    with (
        BackgroundServer(ChangedSheet) as server,
        pytest.raises(FeedShapeError, match="'readable_id'"),
    ):
        load_oll(registry()["oll"], base_url=server.url, catalog=catalog, settings=settings)
    with pytest.raises((NoSuchTableError, NoSuchNamespaceError)):
        catalog.load_table(f"{RAW}.raw__oll__google_sheets__courses")
