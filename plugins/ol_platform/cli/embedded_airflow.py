"""A real Airflow 3 on one machine: scheduler, DAG processor, triggerer and API server.

Used by ``olp demo`` and the end-to-end tests. LocalExecutor with low parallelism, metadata
DB on SQLite by default (``OLP_AIRFLOW_DB_URL`` points it at PostgreSQL). Each component runs
in its own process group, so stopping it stops its children too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ol_platform.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _persistent_secret(path: Path) -> str:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def airflow_env(
    settings: Settings,
    port: int,
    connections: dict[str, dict] | None = None,
    db_url: str | None = None,
) -> dict[str, str]:
    home = settings.home / "airflow"
    (home / "plugins").mkdir(parents=True, exist_ok=True)
    fernet_path = home / "fernet.key"
    if not fernet_path.exists():
        from cryptography.fernet import Fernet

        fernet_path.write_text(Fernet.generate_key().decode())
        fernet_path.chmod(0o600)
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        # Our plugin is registered through an entry point; keep the folder empty.
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__CORE__FERNET_KEY": fernet_path.read_text().strip(),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url or f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": _persistent_secret(home / "jwt.secret"),
        # The embedded Airflow listens on 127.0.0.1 only; every local user is an admin.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "180",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "2",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "600",
        "AIRFLOW__TRIGGERER__DEFAULT_CAPACITY": "50",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "OLP_ENV": settings.env,
        "OLP_HOME": str(settings.home),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "DLT_DATA_DIR": str(settings.home / "dlt"),
        "DO_NOT_TRACK": "1",
    }
    for conn_id, conn in (connections or {}).items():
        env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
    return env


@dataclass
class EmbeddedAirflow:
    settings: Settings
    port: int = field(default_factory=free_port)
    connections: dict[str, dict] = field(default_factory=dict)
    db_url: str | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url_file(self) -> Path:
        """Where a running embedded Airflow leaves its address for other ``olp`` commands."""
        return self.settings.home / "airflow" / "api-server.url"

    @property
    def log_dir(self) -> Path:
        return self.settings.home / "airflow" / "component-logs"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **airflow_env(self.settings, self.port, self.connections, self.db_url),
        }

    def _airflow(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).with_name("airflow")), *args]

    def migrate(self) -> None:
        started = time.monotonic()
        done = subprocess.run(
            self._airflow("db", "migrate"),
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{done.stderr[-3000:]}")
        log.info("metadata DB migrated in %.1fs", time.monotonic() - started)

    def start(self) -> EmbeddedAirflow:
        self.migrate()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        for component in COMPONENTS:
            args = [component] + (["--port", str(self.port)] if component == "api-server" else [])
            out = (self.log_dir / f"{component}.log").open("ab")
            self.processes[component] = subprocess.Popen(
                self._airflow(*args),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, stopped as a whole
            )
        self.wait_healthy()
        self.url_file.write_text(self.url)
        return self

    def wait_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"airflow {name} exited with {proc.returncode}; "
                        f"see {self.log_dir}/{name}.log"
                    )
            try:
                health = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                if health.get("scheduler", {}).get("status") == "healthy":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(2)
        raise TimeoutError(f"Airflow at {self.url} not healthy after {timeout}s")

    def stop(self, grace: float = 30) -> None:
        self.url_file.unlink(missing_ok=True)
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group
            proc.wait()
        self.processes.clear()

    def __enter__(self) -> EmbeddedAirflow:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
