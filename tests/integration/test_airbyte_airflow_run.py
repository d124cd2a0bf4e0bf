"""Airbyte syncs under a real Airflow (``airflow dags test``: the task runner, the trigger
serialized and run by the in-process triggerer, task retries) against the flaky simulator."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from ol_platform.cli.embedded_airflow import EmbeddedAirflow
from ol_platform.settings import Settings
from ol_platform.simulators.airbyte import AirbyteState, make_handler
from ol_platform.simulators.http import BackgroundServer
from tests.integration.airbyte_sim import FAST

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CONN = "44444444-4444-4444-4444-444444444444"
DAG = """
from datetime import datetime, timedelta

from airflow.sdk import DAG
from ol_platform.ingest.airbyte import AirbyteSyncOperator

with DAG("ingest__probe", start_date=datetime(2026, 1, 1), schedule=None, catchup=False):
    for name, conn in (("probe_ok", "airbyte_default"), ("probe_bad_secret", "airbyte_bad")):
        AirbyteSyncOperator(
            task_id=f"sync__{name}",
            connection_name=name,
            source="probe",
            airbyte_conn_id=conn,
            timeout_minutes=5,
            retries=2,
            retry_delay=timedelta(seconds=0),
        )
"""


def test_a_real_task_rides_out_faults_and_bad_credentials_fail_without_retry(tmp_path: Path):
    secret = f"s3cret-{uuid.uuid4().hex}"
    state = AirbyteState(
        client_id="olp-client", client_secret=secret, connections={CONN}, polls_to_finish=3
    )
    # The submit's answer is lost after the job started, two polls get 503, the token is
    # revoked at the second poll that gets through.
    state.add_fault("create_job", status=502, after=True)
    state.add_fault("get_job", status=503, count=2)
    state.revoke_at_poll = 2
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "ingest_probe.py").write_text(DAG)
    with BackgroundServer(make_handler(state)) as server:
        conn = {
            "conn_type": "airbyte",
            "host": f"{server.url}/api/public/v1",
            "login": state.client_id,
            "password": secret,
            "extra": FAST,
        }
        airflow = EmbeddedAirflow(
            Settings(env="local", home=tmp_path / "olp"),
            connections={"airbyte_default": conn, "airbyte_bad": conn | {"password": "nope"}},
        )
        env = airflow.env() | {
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW_VAR_AIRBYTE_CONNECTION__PROBE_OK": CONN,
            "AIRFLOW_VAR_AIRBYTE_CONNECTION__PROBE_BAD_SECRET": CONN,
        }
        airflow.migrate()
        run = subprocess.run(
            [*airflow._airflow("dags", "test", "ingest__probe")],
            env=env,
            capture_output=True,
            text=True,
            timeout=480,
        )
    output = run.stdout + run.stderr
    assert "sync__probe_ok" in output, output[-3000:]
    # The good connection: one job, reattached after the lost answer, polled to success.
    assert state.jobs_started == {CONN: 1}
    assert state.jobs[1].status == "succeeded"
    for seen in (("create_job", 409), ("get_job", 503), ("get_job", 401)):
        assert seen in state.requests
    # The bad secret: one token request in all, so no task retry ran.
    assert [r for r in state.requests if r == ("token", 401)] == [("token", 401)]
    assert "refused the client credentials (HTTP 401)" in output
    assert "Airbyte connection 'probe_bad_secret'" in output and server.url in output
    for value in (secret, *state.issued):
        assert value not in output
