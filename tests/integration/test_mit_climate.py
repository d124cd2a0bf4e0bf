"""MIT Climate articles: a dlt REST source over real HTTP, merged on uuid; a changed feed shape
fails loudly and leaves the lake as it was."""

from __future__ import annotations

import pytest

from ol_platform.ingest.mit_climate import FeedShapeError, load_mit_climate
from ol_platform.simulators import mit_climate
from ol_platform.simulators.http import BackgroundServer, JSONHandler
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

TABLE = "ol_warehouse_local_raw.raw__mit_climate__api__articles"


@pytest.fixture
def source():
    return load_registry(DEFAULT_REGISTRY)["mit_climate"]


def test_articles_are_paged_and_merged_on_uuid(source, catalog, settings):
    with BackgroundServer(mit_climate.make_handler(count=120)) as server:
        load_mit_climate(source, base_url=server.url, catalog=catalog, settings=settings)
    table = catalog.load_table(TABLE).scan().to_arrow()
    assert table.num_rows == 120  # three pages of 50, 50, 20
    assert len(set(table.column("uuid").to_pylist())) == 120

    with BackgroundServer(mit_climate.make_handler(count=125, revision=1)) as server:
        load_mit_climate(source, base_url=server.url, catalog=catalog, settings=settings)
    rows = catalog.load_table(TABLE).scan().to_arrow().to_pylist()
    assert len(rows) == 125, "5 new articles, the rest updated in place"
    assert {r["revision"] for r in rows} == {1}


class WrongShape(JSONHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_json(200, {"data": [{"id": 1}], "links": {}})


def test_a_changed_feed_shape_fails_clearly_and_writes_nothing(source, catalog, settings):
    with BackgroundServer(mit_climate.make_handler(count=60)) as server:
        load_mit_climate(source, base_url=server.url, catalog=catalog, settings=settings)
    before = catalog.load_table(TABLE).current_snapshot().snapshot_id
    with BackgroundServer(WrongShape) as server, pytest.raises(Exception) as info:
        load_mit_climate(source, base_url=server.url, catalog=catalog, settings=settings)
    # dlt wraps errors raised inside a resource; the loader's own error must be in the chain.
    chain, error = [], info.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, FeedShapeError) for e in chain)
    assert "expected a JSON object with a 'results' list" in str(info.value)
    assert catalog.load_table(TABLE).current_snapshot().snapshot_id == before


def test_an_unreachable_feed_is_an_error_not_an_empty_load(source, catalog, settings, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "1")
    server = BackgroundServer(mit_climate.make_handler())
    url = server.url
    server.httpd.server_close()
    with pytest.raises(Exception, match="(?i)connect"):
        load_mit_climate(source, base_url=url, catalog=catalog, settings=settings)
