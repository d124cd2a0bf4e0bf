"""`olp up` starts the local Airflow over existing state, and whatever signal ends it (Ctrl-C,
SIGTERM, a closed terminal, SIGQUIT) stops every Airflow process it started.

Each case runs the real command in a subprocess with its own session (as a terminal would),
waits for the UI address, sends one signal to the command only, and then checks that no
process of its Airflow is left: not in the recorded process groups, not anywhere on the
machine with this state folder in its environment, and the UI port is free again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from ol_platform.cli.embedded_airflow import EmbeddedAirflow, free_port
from ol_platform.lake.catalog import ensure_namespace, get_catalog
from ol_platform.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def state() -> Iterator[Settings]:
    """A state folder with a raw table, as `olp seed` leaves it (one table is enough here).

    Outside pytest's own temporary folders: those of other pytest sessions on the machine
    rotate them away, which would pull the state from under a running Airflow."""
    home = Path(tempfile.mkdtemp(prefix="olp-up-test-"))
    settings = Settings(env="local", home=home / "olp")
    catalog = get_catalog(settings)
    ensure_namespace(catalog, "ol_warehouse_local_raw")
    data = pa.table({"id": pa.array([1], pa.int64())})
    catalog.create_table("ol_warehouse_local_raw.raw__x__api__things", data.schema).append(data)
    yield settings
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def started(state: Settings) -> Iterator[list[subprocess.Popen]]:
    """The olp processes a test starts; a failed test's are stopped, and their Airflow too."""
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    running = state.home / "airflow" / "running.json"
    if running.exists():
        for group in json.loads(running.read_text())["groups"].values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        running.unlink()


def _processes_using(home: Path) -> list[int]:
    """Every live process whose environment names this state folder."""
    marker = f"OLP_HOME={home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _olp_up(settings: Settings, port: int) -> subprocess.Popen:
    env = {**os.environ, "OLP_HOME": str(settings.home), "PYTHONUNBUFFERED": "1"}
    env.pop("AIRFLOW_HOME", None)  # olp keeps it in the state folder
    return subprocess.Popen(
        [sys.executable, "-m", "ol_platform.cli.main", "up", "--port", str(port)],
        env=env,
        text=True,
        # Its own session, like a terminal's job: a signal goes to olp, not to its children.
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for_ui(proc: subprocess.Popen) -> str:
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Ctrl-C"):
            break
    return "".join(lines)


def _groups(settings: Settings) -> int:
    """How many process groups the command's Airflow has: one per component it starts (the
    warm dbt server, then Airflow's)."""
    return len(EmbeddedAirflow(settings).components)


def _wait_for_components(settings: Settings, timeout: float = 300) -> None:
    """Until every component is spawned (they are still importing Airflow then)."""
    running = settings.home / "airflow" / "running.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = json.loads(running.read_text() or "{}") if running.exists() else {}
        if len(record.get("groups", {})) == _groups(settings):
            return
        time.sleep(0.2)
    raise TimeoutError("olp up did not spawn the Airflow components")


def _stop_and_check(settings: Settings, proc: subprocess.Popen, port: int, signum: int) -> None:
    """Send ``signum`` to olp only and check nothing of its Airflow is left."""
    record = json.loads((settings.home / "airflow" / "running.json").read_text())
    groups = list(record["groups"].values())
    assert len(groups) == _groups(settings) and all(_group_alive(g) for g in groups)
    try:
        os.kill(proc.pid, signum)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # the test failed: do not leave it behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, rest
    assert "every Airflow process has exited" in rest
    assert not [g for g in groups if _group_alive(g)]
    assert _processes_using(settings.home) == []
    assert _port_free(port)
    assert not (settings.home / "airflow" / "running.json").exists()


# Each start costs about a minute here: two cases stop a healthy Airflow, two stop one that
# is still starting (components spawned, not yet serving), which is the harder moment.
@pytest.mark.parametrize(
    ("signum", "when"),
    [(signal.SIGTERM, "starting"), (signal.SIGHUP, "up"), (signal.SIGQUIT, "starting")],
)
def test_a_stop_signal_stops_every_airflow_process(
    state: Settings, started: list, signum: int, when: str
):
    port = free_port()
    proc = _olp_up(state, port)
    started.append(proc)
    if when == "up":
        assert f"Airflow UI: http://127.0.0.1:{port}" in _wait_for_ui(proc)
    else:
        _wait_for_components(state)
    _stop_and_check(state, proc, port, signum)


def test_olp_up_prints_the_ui_refuses_a_second_one_and_ctrl_c_stops_it(
    state: Settings, started: list
):
    port = free_port()
    proc = _olp_up(state, port)
    started.append(proc)
    output = _wait_for_ui(proc)
    assert f"Airflow UI: http://127.0.0.1:{port}" in output, output
    assert "no login" in output
    assert not _port_free(port)

    env = {**os.environ, "OLP_HOME": str(state.home)}
    env.pop("AIRFLOW_HOME", None)
    second = subprocess.run(
        [sys.executable, "-m", "ol_platform.cli.main", "up", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 1
    assert f"an Airflow already runs over {state.home} at http://127.0.0.1:{port}" in (
        second.stderr
    )
    _stop_and_check(state, proc, port, signal.SIGINT)


def test_a_closed_terminal_stops_olp_demo_and_its_airflow(state: Settings, started: list):
    """SIGHUP used to end `olp demo` at once and leave its 11 Airflow processes running."""
    env = {**os.environ, "OLP_HOME": str(state.home), "PYTHONUNBUFFERED": "1"}
    env.pop("AIRFLOW_HOME", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ol_platform.cli.main", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started.append(proc)
    _wait_for_components(state)
    record = json.loads((state.home / "airflow" / "running.json").read_text())
    groups = list(record["groups"].values())
    try:
        os.kill(proc.pid, signal.SIGHUP)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 128 + signal.SIGHUP, output
    assert "olp demo: stopped by SIGHUP" in output
    assert len(groups) == _groups(state) and not [g for g in groups if _group_alive(g)]
    assert _processes_using(state.home) == []
    assert _port_free(port)
