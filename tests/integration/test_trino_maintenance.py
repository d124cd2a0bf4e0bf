"""The production maintenance path: Airflow's TrinoHook on ``trino_default`` against a Trino
protocol stand-in over real HTTPS (password auth, Trino's errors, 503s), asserting the exact
statements Trino receives and what the report says."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest

from ol_platform.lake.maintenance import MaintenanceError, MaintenancePolicy, run_namespace
from ol_platform.lake.trino_maintenance import TrinoMaintenance, data_size, duration
from ol_platform.simulators.trino import TrinoSimulator, TrinoState

SCHEMA = "ol_warehouse_production_raw"
BUSY = "raw__mitxonline__app__postgres__courses_courserun"
QUIET = "raw__mitxonline__app__postgres__users_user"
PASSWORD = "s3cret-ldap-password"
DAYS = dt.timedelta(days=1)


@pytest.fixture
def trino(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[TrinoSimulator]:
    state = TrinoState(users={"olp_maintenance": PASSWORD})
    # 20 snapshots, one a day; 12 small files and one large; an orphan 10 days old.
    busy = state.add_table(SCHEMA, BUSY, [100_000] * 12 + [40 << 20], [d * DAYS for d in range(20)])
    busy.orphans = [state.now() - 10 * DAYS, state.now() - 1 * DAYS]
    state.add_table(SCHEMA, QUIET, [100_000] * 3, [d * DAYS for d in range(3)])
    # requests lets these variables override a session's CA bundle: trust the stand-in's own.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with TrinoSimulator(state, tmp_path) as server:
        _connection(monkeypatch, server, PASSWORD)
        yield server


def _connection(monkeypatch, server: TrinoSimulator, password: str) -> None:
    conn = {
        "conn_type": "trino",
        "host": "127.0.0.1",
        "port": server.port,
        "login": "olp_maintenance",
        "password": password,
        "extra": {"protocol": "https", "verify": str(server.certificate), "catalog": "iceberg"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRINO_DEFAULT", json.dumps(conn))


def _run(policy: MaintenancePolicy | None = None):
    return run_namespace(TrinoMaintenance.from_connection(), SCHEMA, policy or MaintenancePolicy())


def test_each_table_gets_exactly_trinos_three_procedures_with_the_policy(trino):
    report = _run()

    table = f'"iceberg"."{SCHEMA}"."{BUSY}"'
    busy = [s for s in trino.state.statements if BUSY in s]
    assert busy == [
        "SELECT count(*), coalesce(sum(file_size_in_bytes), 0), "
        f'count_if(file_size_in_bytes < 8388608) FROM "iceberg"."{SCHEMA}"."{BUSY}$files"',
        f'SELECT snapshot_id, committed_at FROM "iceberg"."{SCHEMA}"."{BUSY}$snapshots" '
        "ORDER BY committed_at DESC",
        f"ALTER TABLE {table} EXECUTE optimize(file_size_threshold => '8MB')",
        f"ALTER TABLE {table} EXECUTE expire_snapshots(retention_threshold => '7d')",
        f"ALTER TABLE {table} EXECUTE remove_orphan_files(retention_threshold => '7d')",
        f'SELECT snapshot_id, committed_at FROM "iceberg"."{SCHEMA}"."{BUSY}$snapshots" '
        "ORDER BY committed_at DESC",
        "SELECT count(*), coalesce(sum(file_size_in_bytes), 0), "
        f'count_if(file_size_in_bytes < 8388608) FROM "iceberg"."{SCHEMA}"."{BUSY}$files"',
    ]
    # Three small files are not worth an optimize: the quiet table only expires and cleans.
    quiet = [s for s in trino.state.statements if "ALTER TABLE" in s and QUIET in s]
    assert [re.search(r"EXECUTE (\w+)", s).group(1) for s in quiet] == [
        "expire_snapshots",
        "remove_orphan_files",
    ]
    extra = report.as_extra()["tables"]
    assert extra[BUSY] | {"message": ""} == {
        "table": f"{SCHEMA}.{BUSY}",
        "status": "ok",
        "compacted": True,
        "snapshots_expired": 13,  # 7 to 19 days old; the optimize added one
        "orphan_files_removed": 1,  # the 10-day-old one; the 1-day-old may be a load in flight
        "data_files_before": 13,
        "data_files_after": 2,
        "bytes_before": 12 * 100_000 + (40 << 20),
        "bytes_after": 12 * 100_000 + (40 << 20),
        "message": "",
    }
    assert extra[QUIET]["status"] == "ok" and not extra[QUIET]["compacted"]


def test_the_newest_snapshots_are_kept_even_when_all_are_older_than_the_retention(trino):
    stale = "raw__bootcamps__app__postgres__klasses_bootcamp"
    trino.state.add_table(SCHEMA, stale, [100_000], [d * DAYS for d in range(30, 40)])

    report = _run(MaintenancePolicy(min_snapshots=5))

    expire = next(s for s in trino.state.statements if stale in s and "expire_snapshots" in s)
    seconds = int(re.search(r"retention_threshold => '(\d+)s'", expire).group(1))
    assert 34 * 86400 < seconds < 34 * 86400 + 60  # the 5th newest is 34 days old
    assert len(trino.state.tables[(SCHEMA, stale)].snapshots) == 5
    assert report.as_extra()["tables"][stale]["snapshots_expired"] == 5


def test_a_lost_iceberg_commit_is_retried(trino):
    trino.state.fail_next["optimize"] = [
        ("ICEBERG_COMMIT_ERROR", f"Failed to commit Iceberg update to table: {SCHEMA}.{BUSY}")
    ]
    report = _run()
    statements = [s for s in trino.state.statements if "EXECUTE optimize" in s]
    assert len(statements) == 2  # the conflict, then the retry
    assert report.as_extra()["tables"][BUSY]["status"] == "ok"


def test_a_table_that_keeps_losing_commits_is_skipped_and_the_others_go_on(trino):
    conflict = ("ICEBERG_COMMIT_ERROR", "Failed to commit Iceberg update to table")
    trino.state.fail_next["optimize"] = [conflict] * 3
    report = _run()
    busy = report.as_extra()["tables"][BUSY]
    assert busy["status"] == "skipped" and "lost 3 commit races" in busy["message"]
    assert not any("expire_snapshots" in s and BUSY in s for s in trino.state.statements)
    assert report.as_extra()["tables"][QUIET]["status"] == "ok"
    report.raise_for_failures()  # skipped is not failed: the task succeeds


def test_a_trino_error_fails_that_table_only_and_the_namespace_names_it(trino):
    trino.state.fail_next["expire_snapshots"] = [
        ("PERMISSION_DENIED", f"Access Denied: Cannot execute procedure on {SCHEMA}.{BUSY}")
    ]
    report = _run()
    assert report.as_extra()["tables"][QUIET]["status"] == "ok"
    with pytest.raises(MaintenanceError, match=rf"{SCHEMA}\.{BUSY}: .*Access Denied"):
        report.raise_for_failures()


def test_a_retention_below_trinos_minimum_is_refused_by_trino_with_its_message(trino):
    report = _run(MaintenancePolicy(retention=dt.timedelta(days=2)))
    with pytest.raises(MaintenanceError, match="shorter than the minimum retention") as failed:
        report.raise_for_failures()
    assert "failed for 2 of 2" in str(failed.value)


def test_a_busy_coordinator_answering_503_is_retried_by_the_client(trino):
    trino.state.unavailable = 2
    report = _run()
    assert all(t.status == "ok" for t in report.tables)


def test_a_wrong_password_fails_with_401_and_the_password_is_not_in_the_error(trino, monkeypatch):
    _connection(monkeypatch, trino, "an-old-password")
    with pytest.raises(Exception, match="401") as failed:
        _run()
    assert "an-old-password" not in str(failed.value)
    assert trino.state.statements == []


def test_literals():
    assert duration(dt.timedelta(days=7)) == "7d"
    assert duration(dt.timedelta(days=7, milliseconds=1)) == "604801s"
    assert (
        data_size(8 << 20) == "8MB" and data_size(3 << 30) == "3GB" and data_size(1000) == "1000B"
    )
