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


def test_the_runs_of_many_dags_are_read_in_one_call_per_page_and_grouped_by_dag():
    """The batch endpoint pages at 100 like the others; each DAG's runs keep their order."""
    import json

    runs = [{"dag_id": f"ingest__{i % 3}", "dag_run_id": f"r{i}"} for i in range(230)]
    bodies: list[dict] = []

    class Batch(JSONHandler):
        def do_POST(self) -> None:  # noqa: N802
            assert self.path_only == "/api/v2/dags/~/dagRuns/list"
            body = json.loads(self.body())
            bodies.append(body)
            wanted = [r for r in runs if r["dag_id"] in body["dag_ids"]]
            offset, limit = body["page_offset"], min(body["page_limit"], 100)
            self.send_json(200, {"dag_runs": wanted[offset : offset + limit],
                                 "total_entries": len(wanted)})  # fmt: skip

    with BackgroundServer(Batch) as server:
        found = AirflowAPI(server.url).runs_of(["ingest__0", "ingest__1", "ingest__2", "idle"])
    assert [b["page_offset"] for b in bodies] == [0, 100, 200]
    assert all(b["dag_ids"] == ["ingest__0", "ingest__1", "ingest__2", "idle"] for b in bodies)
    assert found["idle"] == []
    for dag_id in ("ingest__0", "ingest__1", "ingest__2"):
        assert found[dag_id] == [r for r in runs if r["dag_id"] == dag_id]


def test_a_read_by_post_is_retried_on_a_timeout_and_a_server_error():
    import threading

    calls: list[int] = []

    class Busy(JSONHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.body()
            calls.append(1)
            if len(calls) == 1:  # answered after the client gave up
                threading.Event().wait(0.5)
            if len(calls) <= 2:
                self.send_json(500, {"detail": "database is locked"})
                return
            self.send_json(200, {"dag_runs": [{"dag_id": "d", "state": "success"}],
                                 "total_entries": 1})  # fmt: skip

    with BackgroundServer(Busy) as server:
        found = AirflowAPI(server.url, timeout=0.2, retry_delay=0.01).runs_of(["d"])
    assert found == {"d": [{"dag_id": "d", "state": "success"}]}
    assert len(calls) == 3


def test_calls_share_one_connection_and_survive_the_server_closing_it():
    """Keep-alive: the calls reuse one connection. A server may close an idle kept-alive
    connection just as the client sends on it (the answer never comes): the call is made again
    on a new connection instead of failing the wait it is part of."""
    connections: list[int] = []  # calls answered on each connection the server accepted

    class Handler(JSONHandler):
        # One handler instance serves one connection; it reads each request whole (headers and
        # body, however the client's writes are split into segments) before answering.
        def setup(self) -> None:
            super().setup()
            self.index = len(connections)
            connections.append(0)

        def do_PATCH(self) -> None:  # noqa: N802
            self.body()
            if self.index == 0 and connections[0] == 2:
                self.close_connection = True  # the third call on the first connection: unanswered
                return
            self.send_json(200, {"is_paused": False})
            connections[self.index] += 1

    with BackgroundServer(Handler) as server:
        api = AirflowAPI(server.url, retry_delay=0.01)
        for _ in range(4):
            api.unpause("ingest__x")
    # Two answered on the first connection (a third closed unanswered), the rest on a second.
    assert connections == [2, 2]
