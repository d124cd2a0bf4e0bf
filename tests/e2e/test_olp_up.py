"""`olp up` starts the local Airflow over existing state, and whatever signal ends it (Ctrl-C,
SIGTERM, a closed terminal, SIGQUIT) stops every Airflow process it started.

Each case runs the real command in a subprocess with its own session (as a terminal would),
waits for the UI address, sends one signal to the command only, and then checks that no
process of its Airflow is left: not in the recorded process groups, not anywhere on the
machine with this state folder in its environment, and the UI port is free again.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from ol_platform.cli.embedded_airflow import free_port
from ol_platform.lake.catalog import ensure_namespace, get_catalog
from ol_platform.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Settings:
    """A state folder with a raw table, as `olp seed` leaves it (one table is enough here)."""
    settings = Settings(env="local", home=tmp_path_factory.mktemp("up") / "olp")
    catalog = get_catalog(settings)
    ensure_namespace(catalog, "ol_warehouse_local_raw")
    data = pa.table({"id": pa.array([1], pa.int64())})
    catalog.create_table("ol_warehouse_local_raw.raw__x__api__things", data.schema).append(data)
    return settings


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


def _start_up(settings: Settings, port: int) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "OLP_HOME": str(settings.home), "PYTHONUNBUFFERED": "1"}
    env.pop("AIRFLOW_HOME", None)  # olp keeps it in the state folder
    proc = subprocess.Popen(
        [sys.executable, "-m", "ol_platform.cli.main", "up", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # like a terminal's foreground job: our signal goes to it only
    )
    lines: list[str] = []
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Ctrl-C") or time.monotonic() > deadline:
            break
    return proc, lines


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_any_stop_signal_stops_every_airflow_process(state: Settings, signum: int):
    port = free_port()
    proc, lines = _start_up(state, port)
    try:
        output = "".join(lines)
        assert f"Airflow UI: http://127.0.0.1:{port}" in output, output
        assert "login:" in output
        record = json.loads((state.home / "airflow" / "running.json").read_text())
        groups = list(record["groups"].values())
        assert len(groups) == 4 and all(_group_alive(g) for g in groups)
        assert not _port_free(port)

        os.kill(proc.pid, signum)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # the test failed: do not leave it behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    assert proc.returncode == 0, output + rest
    assert "every Airflow process has exited" in rest
    assert not [g for g in groups if _group_alive(g)]
    assert _processes_using(state.home) == []
    assert _port_free(port)
    assert not (state.home / "airflow" / "running.json").exists()


def test_a_second_olp_up_over_the_same_state_is_refused(state: Settings):
    port = free_port()
    proc, lines = _start_up(state, port)
    try:
        assert f"Airflow UI: http://127.0.0.1:{port}" in "".join(lines)
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
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=120)
    assert _processes_using(state.home) == []
