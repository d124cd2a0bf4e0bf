"""A command waiting on the embedded Airflow ends, naming the component and its last error,
when one of Airflow's processes dies: a dead scheduler schedules nothing, and the demo used to
poll "11 running" until it was killed."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from ol_platform.cli.airflow_api import AirflowAPI
from ol_platform.cli.demo import pause_when_settled
from ol_platform.cli.embedded_airflow import ComponentExited, EmbeddedAirflow, last_error_line
from ol_platform.simulators.http import BackgroundServer, JSONHandler

# The tail of a scheduler log that died on SQLite's busy timeout (Airflow 3.3, shortened).
SCHEDULER_DEATH = """\
[2026-11-27T05:43:39.101Z] {scheduler_job_runner.py:1042} INFO - Exited execute loop
Traceback (most recent call last):
  File "sqlalchemy/engine/base.py", line 1967, in _exec_single_context
    self.dialect.do_execute(
sqlite3.OperationalError: database is locked

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "airflow/jobs/scheduler_job_runner.py", line 1180, in _run_scheduler_loop
sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked
[SQL: UPDATE job SET latest_heartbeat=? WHERE job.id = ?]
(Background on this error at: https://sqlalche.me/e/20/e3q8)
"""


class ForeverRunning(JSONHandler):
    """An API server whose DAGs never finish: only the watch can end a wait on it."""

    def do_GET(self) -> None:  # noqa: N802
        if self.path_only.endswith("/dagRuns"):
            self.send_json(200, {"dag_runs": [{"state": "running"}], "total_entries": 1})
        else:
            self.send_json(200, {"queued_events": []})

    def do_POST(self) -> None:  # noqa: N802
        if self.path_only.endswith("/dagRuns/list"):  # the runs of several DAGs at once
            runs = [{"dag_id": d, "state": "running"} for d in json.loads(self.body())["dag_ids"]]
            self.send_json(200, {"dag_runs": runs, "total_entries": len(runs)})
        else:
            self.send_json(404, {"detail": "not found"})


def _airflow_with(settings, tmp_path, scheduler_code: str) -> EmbeddedAirflow:
    """An embedded Airflow whose components are real processes: a long-lived one, and a
    "scheduler" that runs ``scheduler_code`` into its log, as Airflow's would."""
    airflow = EmbeddedAirflow(settings)
    airflow.log_dir.mkdir(parents=True, exist_ok=True)
    components = {"api-server": "import time; time.sleep(60)", "scheduler": scheduler_code}
    for name, code in components.items():
        log = (airflow.log_dir / f"{name}.log").open("ab")
        airflow.processes[name] = subprocess.Popen([sys.executable, "-c", code], stdout=log)
    return airflow


def _stop(airflow: EmbeddedAirflow) -> None:
    for proc in airflow.processes.values():
        proc.kill()
        proc.wait()


@pytest.fixture
def dead_scheduler(settings, tmp_path):
    code = f"import sys; sys.stderr = sys.stdout; print({SCHEDULER_DEATH!r}); sys.exit(1)"
    airflow = _airflow_with(settings, tmp_path, code)
    airflow.processes["scheduler"].wait(timeout=30)
    yield airflow
    _stop(airflow)


def test_a_wait_for_runs_ends_when_the_scheduler_has_died(dead_scheduler):
    with BackgroundServer(ForeverRunning) as server:
        api = AirflowAPI(server.url, watch=dead_scheduler.raise_if_exited)
        started = time.monotonic()
        with pytest.raises(ComponentExited) as exited:
            api.wait_until_settled("transform__dbt", timeout=60)
    assert time.monotonic() - started < 10  # at the first poll, not at the 60 s timeout
    assert exited.value.component == "scheduler" and exited.value.returncode == 1
    message = str(exited.value)
    assert message.startswith("airflow scheduler exited with 1 while the command was waiting")
    assert "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked" in (
        message
    )
    assert str(dead_scheduler.log_dir / "scheduler.log") in message


def test_the_demo_stops_waiting_for_its_ingest_runs(dead_scheduler):
    with BackgroundServer(ForeverRunning) as server:
        api = AirflowAPI(server.url, watch=dead_scheduler.raise_if_exited)
        with pytest.raises(ComponentExited, match="airflow scheduler exited with 1"):
            pause_when_settled(api, ["ingest__mitxonline"], timeout=60)


def test_live_components_do_not_end_a_wait(settings, tmp_path):
    airflow = _airflow_with(settings, tmp_path, "import time; time.sleep(60)")
    try:
        with BackgroundServer(ForeverRunning) as server:
            api = AirflowAPI(server.url, watch=airflow.raise_if_exited)
            with pytest.raises(TimeoutError, match="did not settle within 3s"):
                api.wait_until_settled("transform__dbt", timeout=3)
    finally:
        _stop(airflow)


def test_a_killed_component_is_named_with_its_signal_and_no_invented_cause(settings, tmp_path):
    airflow = _airflow_with(settings, tmp_path, "import time; time.sleep(60)")
    try:
        airflow.processes["scheduler"].kill()
        airflow.processes["scheduler"].wait()
        with pytest.raises(ComponentExited) as exited:
            airflow.raise_if_exited()
    finally:
        _stop(airflow)
    assert exited.value.returncode == -9
    assert str(exited.value) == (
        "airflow scheduler exited with -9 while the command was waiting on it; its log: "
        f"{airflow.log_dir / 'scheduler.log'}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCHEDULER_DEATH, "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database"),
        ("[ts] INFO - Starting\nKeyError: 'transform__dbt'\n[ts] INFO - Exiting\n", "KeyError"),
        ("[ts] ERROR - Something logged, not raised\n[ts] INFO - bye\n", None),
        ("", None),
    ],
)
def test_the_last_error_line_is_the_exception_that_ended_the_log(tmp_path, text, expected):
    log = tmp_path / "component.log"
    log.write_bytes(text.encode() + b"\xff\xfe not UTF-8 \n")
    found = last_error_line(log)
    assert found == expected if expected is None else found.startswith(expected)


def test_a_missing_log_has_no_error_line(tmp_path):
    assert last_error_line(tmp_path / "absent.log") is None


TRIGGERER_STALL = (
    "2026-11-27T13:20:01Z [info     ] 50 triggers currently running [airflow.jobs]\n"
    "2026-11-27T13:20:31Z [error    ] TriggerRunner subprocess event loop appears deadlocked: "
    "no communication received for 30.2s (threshold: 30.0s). [airflow.jobs]\n"
)


def _health_handler(statuses: dict[str, str]) -> type[JSONHandler]:
    class Health(ForeverRunning):
        """Runs that never finish, and the components' health as given."""

        def do_GET(self) -> None:  # noqa: N802
            if self.path_only.endswith("/monitor/health"):
                self.send_json(200, {name: {"status": s} for name, s in statuses.items()})
            else:
                super().do_GET()

    return Health


@pytest.fixture
def fast_health_watch(monkeypatch):
    from ol_platform.cli import embedded_airflow

    monkeypatch.setattr(embedded_airflow, "HEALTH_EVERY", 0.2)
    monkeypatch.setattr(embedded_airflow, "STALL_LIMIT", 1.0)


def test_the_demo_stops_waiting_on_a_triggerer_that_stays_unhealthy(
    settings, tmp_path, fast_health_watch
):
    """A hung triggerer is alive, so no exit ends the wait: a CI run waited out its 30 min
    with a hundred deferred tasks. Its lost heartbeat ends it, naming the triggerer."""
    from ol_platform.cli.embedded_airflow import ComponentStalled

    airflow = _airflow_with(settings, tmp_path, "import time; time.sleep(60)")
    (airflow.log_dir / "triggerer.log").write_text(TRIGGERER_STALL)
    airflow.processes["triggerer"] = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    statuses = {"scheduler": "healthy", "triggerer": "unhealthy", "dag_processor": "healthy"}
    try:
        with BackgroundServer(_health_handler(statuses)) as server:
            airflow.port = int(server.url.rsplit(":", 1)[1])
            api = AirflowAPI(server.url, watch=airflow.raise_if_unwell)
            with pytest.raises(ComponentStalled) as stalled:
                pause_when_settled(api, ["ingest__mitxonline"], timeout=60, interval=0.1)
    finally:
        _stop(airflow)
    assert stalled.value.component == "triggerer"
    message = str(stalled.value)
    assert message.startswith("airflow triggerer has been unhealthy (no heartbeat) for ")
    assert "event loop appears deadlocked" in message
    assert str(airflow.log_dir / "triggerer.log") in message


def test_a_component_that_recovers_does_not_end_the_wait(settings, tmp_path, fast_health_watch):
    """Unhealthy for a moment (a busy machine) and healthy again: the wait goes on."""
    airflow = _airflow_with(settings, tmp_path, "import time; time.sleep(60)")
    statuses = {"scheduler": "unhealthy", "triggerer": "healthy", "dag_processor": "healthy"}
    try:
        with BackgroundServer(_health_handler(statuses)) as server:
            airflow.port = int(server.url.rsplit(":", 1)[1])
            api = AirflowAPI(server.url, watch=airflow.raise_if_unwell)

            def recover() -> None:
                if time.monotonic() - started > 0.6:
                    statuses["scheduler"] = "healthy"

            started = time.monotonic()
            with pytest.raises(TimeoutError, match="did not finish within 3s"):
                pause_when_settled(api, ["ingest__x"], on_poll=recover, timeout=3, interval=0.1)
    finally:
        _stop(airflow)
