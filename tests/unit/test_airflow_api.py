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
