"""The demo's API client rides out the 500s an API server on SQLite metadata answers when a
write loses the database lock, and still fails on a persistent error."""

from __future__ import annotations

import httpx
import pytest

from ol_platform.cli.airflow_api import AirflowAPI
from ol_platform.simulators.http import BackgroundServer, JSONHandler


def flaky(failures: int):
    calls: list[str] = []

    class Handler(JSONHandler):
        def do_PATCH(self) -> None:  # noqa: N802
            self.body()
            calls.append(self.path_only)
            if len(calls) <= failures:
                self.send_json(500, {"detail": "database is locked"})
            else:
                self.send_json(200, {"is_paused": False})

    return Handler, calls


def test_a_transient_server_error_is_retried():
    handler, calls = flaky(failures=2)
    with BackgroundServer(handler) as server:
        AirflowAPI(server.url, retry_delay=0.01).unpause("ingest__x")
    assert calls == ["/api/v2/dags/ingest__x"] * 3


def test_a_persistent_server_error_fails():
    handler, calls = flaky(failures=99)
    with BackgroundServer(handler) as server, pytest.raises(httpx.HTTPStatusError, match="500"):
        AirflowAPI(server.url, retry_delay=0.01).unpause("ingest__x")
    assert len(calls) == 6


def test_a_call_that_times_out_is_retried_but_a_post_is_not():
    import threading

    calls: list[str] = []
    first = threading.Event()

    class Slow(JSONHandler):
        def do_PATCH(self) -> None:  # noqa: N802
            self.body()
            calls.append("PATCH")
            if not first.is_set():  # the first answer comes after the client gave up
                first.set()
                first.wait(0.5)
                threading.Event().wait(0.5)
            self.send_json(200, {"is_paused": False})

        def do_POST(self) -> None:  # noqa: N802
            self.body()
            calls.append("POST")
            threading.Event().wait(0.5)
            self.send_json(200, {"dag_run_id": "r"})

    with BackgroundServer(Slow) as server:
        api = AirflowAPI(server.url, timeout=0.2, retry_delay=0.01)
        api.unpause("ingest__x")
        assert calls == ["PATCH", "PATCH"]
        with pytest.raises(httpx.TimeoutException):
            api.trigger("ingest__x")
    assert calls.count("POST") == 1


def test_a_list_is_read_page_by_page_up_to_its_total():
    """The API caps a page at 100 (its maximum_page_limit), whatever limit is asked."""
    assets = [{"id": i, "name": f"a{i}"} for i in range(1, 251)]
    asked: list[dict[str, str]] = []

    class Capped(JSONHandler):
        def do_GET(self) -> None:  # noqa: N802
            asked.append(self.query)
            offset, limit = int(self.query["offset"]), min(int(self.query["limit"]), 100)
            page = assets[offset : offset + limit]
            self.send_json(200, {"assets": page, "total_entries": len(assets)})

    with BackgroundServer(Capped) as server:
        found = AirflowAPI(server.url).all_assets()
    assert found == assets
    assert [q["offset"] for q in asked] == ["0", "100", "200"]


def test_a_run_is_settled_only_once_its_queued_asset_events_have_become_runs():
    """The scheduler turns the queued event into a second run between two polls: the wait
    returns only when that run has ended too."""
    looks = {"queue": 0, "runs": 0}

    class Scheduler(JSONHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path_only.endswith("/assets/queuedEvents"):
                looks["queue"] += 1
                queued = [{"asset_id": 1}] if looks["queue"] == 1 else []
                self.send_json(200, {"queued_events": queued, "total_entries": len(queued)})
                return
            looks["runs"] += 1
            states = ["success"] if looks["runs"] == 1 else ["success", "running"]
            if looks["runs"] >= 4:
                states = ["success", "success"]
            runs = [{"dag_run_id": f"r{i}", "state": s} for i, s in enumerate(states)]
            self.send_json(200, {"dag_runs": runs, "total_entries": len(runs)})

    with BackgroundServer(Scheduler) as server:
        runs = AirflowAPI(server.url).wait_until_settled(
            "transform", timeout=30, quiet=0.05, interval=0.05
        )
    assert [r["state"] for r in runs] == ["success", "success"]
    assert looks["runs"] >= 5  # settled on two polls after the second run ended
