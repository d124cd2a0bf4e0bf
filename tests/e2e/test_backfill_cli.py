"""``olp backfill`` against a real Airflow 3 (scheduler, DAG processor, triggerer, API server).

The Airflow (metadata on PostgreSQL) parses only the ingest DAG file, over a registry holding
the tracking logs source and a snapshot source, with no dbt manifest (so the ingest DAGs have
no staging step: this test is about the loads). Users and passwords are real (not
all-admins): the CLI reads the generated passwords file as it does for the local Airflow, or
exchanges --username/--password.
Three past days of tracking logs are backfilled, then backfilled again with every run
reprocessed: rows per day are exact and nothing is doubled.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import httpx
import pyarrow.compute as pc
import pytest
import yaml

from ol_platform.cli import backfill
from ol_platform.cli.airflow_auth import PASSWORDS_FILE, AuthedAirflowAPI
from ol_platform.cli.embedded_airflow import EmbeddedAirflow
from ol_platform.lake.catalog import get_catalog
from ol_platform.lake.naming import namespace
from ol_platform.settings import REPO_ROOT, Settings
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry
from tests.conftest import fresh_postgres_database
from tests.tracking_log_days import DEPLOYMENTS, events_on, write_days

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

DAYS = [date(2024, 11, 24), date(2024, 11, 25), date(2024, 11, 26)]
OUTSIDE = date(2024, 11, 27)  # on disk, outside the window: must not be loaded
PASSWORD = "backfill-admin-pass"
DAG_ID = "ingest__tracking_logs"


@dataclass
class BackfillAirflow(EmbeddedAirflow):
    overrides: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return super().env() | self.overrides


@pytest.fixture(scope="module")
def metadata_db():
    """A PostgreSQL database for the Airflow metadata (as in production), dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory, metadata_db: str):
    home = tmp_path_factory.mktemp("olp")
    settings = Settings(env="local", home=home)
    raw = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    raw["sources"] = [s for s in raw["sources"] if s["name"] in {"tracking_logs", "mitpe"}]
    registry = home / "sources.yaml"
    registry.write_text(yaml.safe_dump(raw))
    dags = home / "dags"
    dags.mkdir()
    shutil.copy(REPO_ROOT / "dags" / "ingest.py", dags / "ingest.py")
    write_days(settings.samples_dir / "tracking_log_files", [*DAYS, OUTSIDE])
    passwords = home / "airflow" / PASSWORDS_FILE
    passwords.parent.mkdir(parents=True)
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    server = BackfillAirflow(
        settings,
        db_url=metadata_db,
        overrides={
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "OLP_REGISTRY": str(registry),
            "OLP_DBT_PROJECT_DIR": str(home / "no-dbt"),  # no manifest: no staging step
            # No scheduled runs: every load in this test is a backfill run's.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        },
    )
    server.start()
    try:
        api = AuthedAirflowAPI(server.url, token=_token(server.url))
        api.wait_for_dags([DAG_ID, "ingest__mitpe"])
        yield server
    finally:
        server.stop()


def _token(url: str) -> str:
    answer = httpx.post(
        f"{url}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


@pytest.fixture
def olp(airflow, monkeypatch, capsys):
    """Run ``olp backfill ...`` against the test Airflow as the local one (no --url)."""
    monkeypatch.setenv("OLP_HOME", str(airflow.settings.home))
    monkeypatch.setenv("OLP_REGISTRY", airflow.overrides["OLP_REGISTRY"])
    for name in ("OLP_AIRFLOW_URL", "OLP_AIRFLOW_TOKEN", "OLP_AIRFLOW_USERNAME"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = backfill.main([*argv, "--poll", "1"], out)
        return code, out.getvalue() + capsys.readouterr().err

    return run


def _rows_per_day(settings: Settings) -> dict[str, Counter]:
    catalog = get_catalog(settings)
    counts = {}
    source = load_registry()["tracking_logs"]
    for table, name in zip(source.tables, source.raw_table_names(), strict=True):
        deployment = table.namespace
        data = catalog.load_table(f"{namespace(settings.env)}.{name}").scan().to_arrow()
        days = pc.strftime(data.column("time"), format="%Y-%m-%d").to_pylist()
        counts[deployment] = Counter(date.fromisoformat(d) for d in days)
    return counts


def test_dry_run_lists_every_interval_and_creates_nothing(airflow, olp):
    code, out = olp("tracking_logs", "--from", "2024-11-24", "--to", "2024-11-26", "--dry-run")
    assert code == 0, out
    intervals = re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d) -> (\d{4}-\d\d-\d\d \d\d:\d\d)", out)
    assert intervals[0] == ("2024-11-24 00:00", "2024-11-24 12:00")
    assert intervals[-1] == ("2024-11-26 12:00", "2024-11-27 00:00")
    assert len(intervals) == 6 and "6 run(s) would be created; nothing was changed" in out
    api = AuthedAirflowAPI(airflow.url, token=_token(airflow.url))
    assert api.call("GET", "/backfills", dag_id=DAG_ID)["total_entries"] == 0


def test_a_snapshot_source_is_refused_before_airflow_is_asked(olp):
    code, out = olp("mitpe", "--from", "2024-11-24", "--to", "2024-11-26")
    assert code == 2
    assert "cannot be backfilled: it is a snapshot source" in out and "trigger a normal run" in out


def test_a_paused_dag_is_not_backfilled_without_unpause(olp):
    code, out = olp("tracking_logs", "--from", "2024-11-24", "--to", "2024-11-26")
    assert code == 2 and "ingest__tracking_logs is paused" in out and "--unpause" in out


def _loaded_by_backfill_runs(api: AuthedAirflowAPI) -> int:
    """Rows the backfill runs' loads committed (each run's extract_load returns them)."""
    runs = api.call("GET", f"/dags/{DAG_ID}/dagRuns", run_type=["backfill"], limit=100)
    return sum(
        sum((api.xcom(DAG_ID, r["dag_run_id"], "extract_load") or {}).values())
        for r in runs["dag_runs"]
    )


def test_backfill_of_three_days_lands_each_day_once(airflow, olp):
    code, out = olp("tracking_logs", "--from", "2024-11-24", "--to", "2024-11-26", "--unpause")
    assert code == 0, out
    assert "ingest__tracking_logs unpaused" in out and "All 6 run(s) succeeded." in out
    assert re.search(r"\[#+\]\s+6/6\s+queued 0\s+running 0\s+succeeded 6\s+failed 0", out), out
    expected = {d: events_on(d) for d in DAYS}
    rows = _rows_per_day(airflow.settings)
    for deployment in DEPLOYMENTS:
        assert rows[deployment] == expected  # nothing of the day outside the window
    api = AuthedAirflowAPI(airflow.url, token=_token(airflow.url))
    assert _loaded_by_backfill_runs(api) == len(DEPLOYMENTS) * sum(expected.values())

    # The same window again, every run reprocessed: the lake says what is in, nothing doubles.
    code, out = olp(
        "ingest__tracking_logs",
        "--from",
        "2024-11-24",
        "--to",
        "2024-11-26",
        "--reprocess",
        "completed",
    )
    assert code == 0 and "All 6 run(s) succeeded." in out, out
    assert _rows_per_day(airflow.settings) == rows
    assert _loaded_by_backfill_runs(api) == 0  # the reprocessed runs' loads found nothing new

    backfill_id = re.search(r"backfill (\d+) created", out).group(1)
    code, status = olp("status", backfill_id)
    assert code == 0 and "succeeded 6" in status, status


def test_cancel_and_status_work_on_a_backfill_started_elsewhere(airflow, olp):
    api = AuthedAirflowAPI(airflow.url, token=_token(airflow.url))
    started = api.call(
        "POST",
        "/backfills",
        json={
            "dag_id": DAG_ID,
            "from_date": "2024-10-01T00:00:00Z",
            "to_date": "2024-10-20T00:00:00Z",
            "max_active_runs": 1,
        },
    )
    code, out = olp("cancel", str(started["id"]))
    assert code == 0 and f"backfill {started['id']} of {DAG_ID} cancelled" in out, out
    assert api.call("GET", f"/backfills/{started['id']}")["completed_at"] is not None
    code, out = olp("cancel", str(started["id"]))
    assert code == 1 and "already completed" in out
    code, out = olp("status", str(started["id"]))
    assert f"backfill {started['id']}" in out and "queued 0" in out, out


def test_credentials_are_exchanged_and_the_token_is_never_printed(airflow, olp):
    token = _token(airflow.url)
    code, out = olp(
        "tracking_logs",
        "--from",
        "2024-11-24",
        "--to",
        "2024-11-24",
        "--dry-run",
        "--url",
        airflow.url,
        "--username",
        "admin",
        "--password",
        PASSWORD,
    )
    assert code == 0, out
    assert PASSWORD not in out
    code, out = olp(
        "tracking_logs",
        "--from",
        "2024-11-24",
        "--to",
        "2024-11-24",
        "--dry-run",
        "--url",
        airflow.url,
        "--token",
        token + "x",  # refused: the message names the failure, not the token
    )
    # Airflow answers an invalid JWT with 403.
    assert code == 2 and "HTTP 403: Invalid JWT token" in out and "get a new one" in out, out
    assert token not in out
