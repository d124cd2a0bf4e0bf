"""The embedded API server keeps serving while an API call's audit-log row waits for SQLite's
write lock, and still writes that row and the change once the lock is free.

Airflow writes the audit row from its event loop; waiting there for the lock held by another
request of the same server (a task's Execution API call whose commit the loop must schedule)
froze every component's writes for the 60 s busy timeout and killed the demo's scheduler.
``ol_platform.orchestration.api_server`` moves that commit to a worker thread. Here the test
holds the lock itself, sends a call that writes, and asks for ``/api/v2/version`` (no
database) meanwhile: it must be answered before the lock is released.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ol_platform.settings import Settings
from tests.integration.test_managed_apis_auth import ApiServerOnly

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HOLD_AT_MOST = 20.0  # seconds the test keeps the write lock if the server stops answering


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerOnly]:
    settings = Settings(env="local", home=tmp_path_factory.mktemp("olp"))
    api = ApiServerOnly(settings).start()
    try:
        yield api
    finally:
        api.stop()


def _db(server: ApiServerOnly) -> sqlite3.Connection:
    return sqlite3.connect(server.settings.home / "airflow" / "airflow.db", timeout=60)


def test_the_server_answers_while_an_audited_write_waits_for_the_lock(server):
    assert server.command("api-server")[1:3] == ["-m", "ol_platform.orchestration.api_server"]
    holder = _db(server)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")  # SQLite's write lock, as a busy component holds it
    posted: dict[str, object] = {}

    def post_variable() -> None:
        body = {"key": "olp_probe", "value": "written after the lock"}
        posted["response"] = httpx.post(f"{server.url}/api/v2/variables", json=body, timeout=90)

    writer = threading.Thread(target=post_variable)
    try:
        writer.start()
        time.sleep(2)  # the call reaches its audit-log commit and waits for the lock
        assert "response" not in posted, "the write did not wait: the lock was not held"
        answered = None
        try:
            version = httpx.get(f"{server.url}/api/v2/version", timeout=HOLD_AT_MOST)
            answered = version.status_code
        except httpx.TimeoutException:
            pass
        still_waiting = "response" not in posted
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        writer.join(timeout=90)

    assert answered == 200, "the API server stopped answering while a write waited for SQLite"
    assert still_waiting  # answered while the lock was held, not after
    assert posted["response"].status_code == 201, posted["response"].text
    db = _db(server)
    assert db.execute("SELECT val FROM variable WHERE key = 'olp_probe'").fetchone()
    audit = db.execute("SELECT event, extra FROM log WHERE event = 'post_variable'").fetchall()
    assert len(audit) == 1 and "written after the lock" not in audit[0][1]  # value masked
