"""The API-task sources over real HTTP: ODL Video Service (token auth, paged, incremental on the
lake's updated_at) and Sloan Executive Education (OAuth2 client credentials, tokens that expire
mid-run). Refused credentials, changed shapes and flipped types fail clearly and write nothing."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from types import SimpleNamespace

import pytest

from ol_platform.ingest.api_task import ApiAuthError
from ol_platform.ingest.dlt_runner import lake_cursor
from ol_platform.ingest.feed_shape import FeedShapeError
from ol_platform.ingest.odl_video import load_odl_video, load_odl_video_from_connection
from ol_platform.ingest.sloan import load_sloan_exec_ed, load_sloan_exec_ed_from_connection
from ol_platform.lake.writer import LoadRefusedError
from ol_platform.simulators.http import BackgroundServer, JSONHandler
from ol_platform.simulators.odl_video import ODLVideoAPI
from ol_platform.simulators.sloan import SloanAPI
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

NS = "ol_warehouse_local_raw"
VIDEOS = f"{NS}.raw__odl_video__api__videos"
COLLECTIONS = f"{NS}.raw__odl_video__api__collections"
COURSES = f"{NS}.raw__sloan_executive_education__api__courses"
TOKEN = "odl-token-3f9a"
CLIENT_ID, CLIENT_SECRET = "sloan-client", "s3cr3t-sloan-value"


@pytest.fixture(scope="module")
def registry():
    return load_registry(DEFAULT_REGISTRY)


@pytest.fixture
def odl(registry):
    return registry["odl_video"]


@pytest.fixture
def sloan(registry):
    return registry["sloan_exec_ed"]


def error_chain(error: BaseException | None) -> list[BaseException]:
    """dlt wraps errors raised inside a resource; the loader's own error is in the chain."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def connection(url: str, login: str | None, password: str | None, **extra) -> SimpleNamespace:
    return SimpleNamespace(
        conn_id="test_api",
        conn_type="http",
        host=url,
        port=None,
        schema=None,
        login=login,
        password=password,
        extra=json.dumps(extra) if extra else None,
    )


def rows(catalog, identifier: str) -> list[dict]:
    return catalog.load_table(identifier).scan().to_arrow().to_pylist()


def snapshot(catalog, identifier: str) -> int | None:
    current = catalog.load_table(identifier).current_snapshot()
    return current.snapshot_id if current else None


# --- ODL Video Service ------------------------------------------------------------------------


def test_odl_wrong_token_fails_naming_source_and_401_and_writes_nothing(odl, catalog, settings):
    api = ODLVideoAPI(token=TOKEN, video_count=20)
    with BackgroundServer(api.handler()) as server, pytest.raises(Exception) as info:
        load_odl_video(
            odl, base_url=server.url, token="stale-token", catalog=catalog, settings=settings
        )
    auth_errors = [e for e in error_chain(info.value) if isinstance(e, ApiAuthError)]
    assert auth_errors, info.value
    message = str(auth_errors[0])
    assert "ODL Video Service (odl_video)" in message
    assert "HTTP 401" in message and "Invalid token." in message
    assert "odl_video_api" in message  # the connection to fix
    assert "stale-token" not in str(info.value)
    assert {r.status for r in api.requests} == {401}
    assert not catalog.table_exists(VIDEOS) and not catalog.table_exists(COLLECTIONS)


def test_odl_missing_token_fails_before_any_request(odl, catalog, settings):
    api = ODLVideoAPI(token=TOKEN, video_count=20)
    with (
        BackgroundServer(api.handler()) as server,
        pytest.raises(ApiAuthError, match="password.*ODL Video Service API token"),
    ):
        load_odl_video_from_connection(
            odl, connection(server.url, None, None), catalog=catalog, settings=settings
        )
    assert api.requests == []
    assert not catalog.table_exists(VIDEOS)


def test_odl_full_load_follows_every_page(odl, catalog, settings):
    api = ODLVideoAPI(token=TOKEN, video_count=130, collection_count=12, max_page_size=50)
    with BackgroundServer(api.handler()) as server:
        load_odl_video_from_connection(
            odl, connection(server.url, None, TOKEN), catalog=catalog, settings=settings
        )
    video_pages = api.served("videos")
    # The loader asks for 100 a page; the service caps at 50 and its `next` links carry the cap.
    assert [r.rows for r in video_pages] == [50, 50, 30]
    assert [r.query.get("page", "1") for r in video_pages] == ["1", "2", "3"]
    assert all("updated_since" not in r.query for r in api.requests), "first run pulls all"

    videos = rows(catalog, VIDEOS)
    assert len(videos) == len({v["key"] for v in videos}) == 130
    assert len(rows(catalog, COLLECTIONS)) == 12
    first = next(v for v in videos if v["title"].startswith("Lecture 1:"))
    transcripts = json.loads(first["transcripts"])  # nested list kept as one JSON column
    assert transcripts[0]["language"] == "en"
    assert {"language_name", "filename", "source"} <= set(transcripts[0])


def test_odl_incremental_run_asks_only_for_updated_rows_and_merges(odl, catalog, settings):
    api = ODLVideoAPI(token=TOKEN, video_count=130, collection_count=12)
    with BackgroundServer(api.handler()) as server:
        load_odl_video(odl, base_url=server.url, token=TOKEN, catalog=catalog, settings=settings)
        cursor = lake_cursor(catalog, VIDEOS, "updated_at")
        api.advance()  # 13 videos re-edited, 5 new; one collection edited, one new
        api.requests.clear()
        load_odl_video(odl, base_url=server.url, token=TOKEN, catalog=catalog, settings=settings)

    video_pages = api.served("videos")
    assert video_pages and all(
        r.query["updated_since"] == cursor.isoformat() for r in video_pages
    ), "every page, including followed `next` links, is filtered on the lake's cursor"
    expected = [v for v in api.data("videos") if datetime.fromisoformat(v["updated_at"]) >= cursor]
    assert sum(r.rows for r in video_pages) == len(expected) < 40, "only changed rows travel"

    videos = rows(catalog, VIDEOS)
    assert len(videos) == len({v["key"] for v in videos}) == 135, "5 new, the rest merged"
    edited = [v for v in videos if v["title"].endswith("(re-edited 1)")]
    assert len(edited) == 13
    assert all("zh" in {t["language"] for t in json.loads(v["transcripts"])} for v in edited)
    collections = rows(catalog, COLLECTIONS)
    assert len(collections) == len({c["key"] for c in collections}) == 13
    assert sum(c["title"].endswith("(revised 1)") for c in collections) == 1


def test_odl_flipped_column_type_is_refused_naming_the_column(odl, catalog, settings):
    api = ODLVideoAPI(token=TOKEN, video_count=60, collection_count=4)
    with BackgroundServer(api.handler()) as server:
        load_odl_video(odl, base_url=server.url, token=TOKEN, catalog=catalog, settings=settings)
        before = snapshot(catalog, VIDEOS), snapshot(catalog, COLLECTIONS)
        api.duration_as_text = True  # the service starts sending "754s" instead of 754
        api.advance()
        with pytest.raises(Exception) as info:
            load_odl_video(
                odl, base_url=server.url, token=TOKEN, catalog=catalog, settings=settings
            )
    refused = [e for e in error_chain(info.value) if isinstance(e, LoadRefusedError)]
    assert refused, info.value
    assert "column 'duration_seconds' changed type" in str(refused[0])
    assert (snapshot(catalog, VIDEOS), snapshot(catalog, COLLECTIONS)) == before


class WrongShape(JSONHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_json(200, {"items": [{"id": 1}], "links": {}})


def test_odl_changed_page_shape_fails_clearly(odl, catalog, settings):
    with BackgroundServer(WrongShape) as server, pytest.raises(Exception) as info:
        load_odl_video(odl, base_url=server.url, token=TOKEN, catalog=catalog, settings=settings)
    assert any(isinstance(e, FeedShapeError) for e in error_chain(info.value))
    assert "expected a JSON object with a 'results' list" in str(info.value)
    assert not catalog.table_exists(VIDEOS)


# --- Sloan Executive Education ----------------------------------------------------------------


def test_sloan_wrong_client_secret_fails_clearly_without_leaking_it(sloan, catalog, settings):
    api = SloanAPI(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with BackgroundServer(api.handler()) as server, pytest.raises(Exception) as info:
        load_sloan_exec_ed(
            sloan,
            base_url=server.url,
            client_id=CLIENT_ID,
            client_secret="not-the-secret",
            catalog=catalog,
            settings=settings,
        )
    auth_errors = [e for e in error_chain(info.value) if isinstance(e, ApiAuthError)]
    assert auth_errors, info.value
    message = str(auth_errors[0])
    assert "Sloan Executive Education" in message
    assert "POST /oauth/token answered HTTP 401" in message and "invalid_client" in message
    assert "not-the-secret" not in message and CLIENT_SECRET not in message
    assert [r.status for r in api.token_requests] == [401]
    assert api.course_requests == [], "no API call without a token"
    assert not catalog.table_exists(COURSES)


class Ticking:
    """A clock that moves 100 s at every look: token issue and each API request."""

    def __init__(self) -> None:
        self._ticks = itertools.count(step=100)

    def __call__(self) -> float:
        return float(next(self._ticks))


def test_sloan_token_expiring_mid_paging_is_renewed(sloan, catalog, settings):
    # 110 courses in pages of 25: 5 pages. The token lives 350 s; issued at t=0, pages at
    # t=100..300 pass, page 4 at t=400 is refused, a new token (t=500) carries pages 4 and 5.
    api = SloanAPI(CLIENT_ID, CLIENT_SECRET, course_count=110, token_lifetime=350, clock=Ticking())
    with BackgroundServer(api.handler()) as server:
        load_sloan_exec_ed(
            sloan,
            base_url=server.url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            catalog=catalog,
            settings=settings,
            page_limit=25,
        )
    assert [r.status for r in api.token_requests] == [200, 200], "re-authenticated once"
    statuses = [(r.query.get("offset"), r.status) for r in api.course_requests]
    assert statuses == [
        ("0", 200),
        ("25", 200),
        ("50", 200),
        ("75", 401),
        ("75", 200),
        ("100", 200),
    ]
    courses = rows(catalog, COURSES)
    assert len(courses) == len({c["course_id"] for c in courses}) == 110


def test_sloan_full_load_and_rerun_merge_without_duplicates(sloan, catalog, settings):
    api = SloanAPI(CLIENT_ID, CLIENT_SECRET, course_count=120)
    with BackgroundServer(api.handler()) as server:
        conn = connection(
            server.url, CLIENT_ID, CLIENT_SECRET, token_url=f"{server.url}/oauth/token"
        )
        load_sloan_exec_ed_from_connection(sloan, conn, catalog=catalog, settings=settings)
        first = {c["course_id"]: c for c in rows(catalog, COURSES)}
        api.advance()  # every eighth course re-priced, three added
        load_sloan_exec_ed_from_connection(sloan, conn, catalog=catalog, settings=settings)

    assert len(first) == 120
    assert [r.rows for r in api.course_requests[:3]] == [50, 50, 20]
    courses = rows(catalog, COURSES)
    by_id = {c["course_id"]: c for c in courses}
    assert len(courses) == len(by_id) == 123
    assert by_id["SEE-1001"]["fee"] == first["SEE-1001"]["fee"] + 250, "updated in place"
    assert by_id["SEE-1002"]["fee"] == first["SEE-1002"]["fee"], "untouched"
    assert json.loads(by_id["SEE-1001"]["topics"]) == ["Leadership", "Innovation"]
