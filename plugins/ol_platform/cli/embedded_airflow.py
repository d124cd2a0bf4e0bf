"""A real Airflow 3 on one machine: scheduler, DAG processor, triggerer and API server.

Used by ``olp demo``, ``olp up`` and the end-to-end tests. LocalExecutor with low parallelism,
metadata DB on SQLite by default. Each component runs in its own process group, so stopping it
stops its children too; :func:`stop_on_signals` turns SIGINT, SIGTERM, SIGHUP (a closed
terminal) and SIGQUIT into that stop, since the components, in sessions of their own, would
otherwise outlive the command. The running components are recorded in
``$OLP_HOME/airflow/running.json`` so a second start over the same state is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ol_platform.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
# The warm dbt server (``olp_dbt.warm``): the tasks' dbt commands are forks of one process that
# has imported dbt, instead of each paying that start-up. Not an Airflow component: started
# first, so it is warm when the first task runs dbt.
DBT_SERVER = "dbt-server"
# Components run through the platform's wrapper of the Airflow command, with its fixes of
# Airflow bugs (each module says which): ``python -m <module> [args]``.
PATCHED_COMPONENTS = {
    "api-server": "ol_platform.orchestration.api_server",
    "dag-processor": "ol_platform.orchestration.dag_processor",
    "scheduler": "ol_platform.orchestration.scheduler",
    "triggerer": "ol_platform.orchestration.triggerer",
}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class AirflowStartError(RuntimeError):
    """Airflow could not start (already running here, a failed migration, a dead component)."""


class ComponentExited(AirflowStartError):
    """An Airflow component's process ended while the command still needed it."""

    def __init__(self, component: str, returncode: int, log_file: Path, when: str) -> None:
        self.component, self.returncode, self.log_file = component, returncode, log_file
        cause = last_error_line(log_file)
        super().__init__(
            f"airflow {component} exited with {returncode} {when}"
            + (f" ({cause})" if cause else "")
            + f"; its log: {log_file}"
        )


class ComponentStalled(AirflowStartError):
    """An Airflow component is alive but has reported no heartbeat for minutes: its process
    is stuck (a hung triggerer leaves every deferred task waiting for good)."""

    def __init__(self, component: str, seconds: float, log_file: Path, when: str) -> None:
        self.component, self.seconds, self.log_file = component, seconds, log_file
        cause = last_error_line(log_file) or last_logged_error(log_file)
        super().__init__(
            f"airflow {component} has been unhealthy (no heartbeat) for {seconds:.0f}s {when}"
            + (f" (last error: {cause})" if cause else "")
            + f"; its log: {log_file}"
        )


# How long a component may stay unhealthy before a waiting command gives up on it: Airflow
# calls a component unhealthy 30 s after its last heartbeat; a busy 2-core machine recovers
# from that within a minute or two, a stuck process never does.
STALL_LIMIT = 300.0
HEALTH_EVERY = 30.0
# Components whose health /api/v2/monitor/health reports, and their processes' names here.
HEALTH_COMPONENTS = {
    "scheduler": "scheduler",
    "triggerer": "triggerer",
    "dag_processor": "dag-processor",
}

# What a component's log says when it dies: the exception that ended it.
_ERROR_LINE = re.compile(r"^\s*[\w.]*(Error|Exception|Exit)\b.*:|^\s*[\w.]*Error$")


def _tail(log_file: Path, tail_bytes: int = 64_000) -> list[str]:
    try:
        with log_file.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - tail_bytes))
            return f.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _last_line(log_file: Path, matches: Callable[[str], object]) -> str | None:
    found = [line.strip() for line in _tail(log_file) if matches(line)]
    return found[-1][:300] if found else None


def last_error_line(log_file: Path) -> str | None:
    """The last exception line (``module.SomeError: message``) in the tail of ``log_file``."""
    return _last_line(log_file, _ERROR_LINE.match)


def last_logged_error(log_file: Path) -> str | None:
    """The last line logged at error level (``[error ...]``) in the tail of ``log_file``."""
    return _last_line(log_file, lambda line: "[error" in line or " ERROR " in line)


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived; raised so that every ``finally`` (stopping Airflow) runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# The stop signal received inside the current ``stop_on_signals`` block, if any.
_pending_stop: int | None = None


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, any of :data:`STOP_SIGNALS` raises :class:`Interrupted`.

    Further signals are ignored from then until the block exits, so a second Ctrl-C or the
    SIGTERM that follows a SIGHUP cannot cut the cleanup short (it ends in SIGKILL anyway).
    The signal is also remembered: Python swallows an exception raised while the garbage
    collector runs a ``__del__``, so the wait loops call :func:`raise_if_stopping` too.
    """
    global _pending_stop
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return

    def interrupt(signum: int, frame: object) -> None:
        global _pending_stop
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        _pending_stop = signum
        raise Interrupted(signum)

    _pending_stop = None
    previous = {s: signal.signal(s, interrupt) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        _pending_stop = None
        for s, handler in previous.items():
            signal.signal(s, handler)


def raise_if_stopping() -> None:
    """Raise :class:`Interrupted` again if a stop signal came and its exception was lost.

    Only the waiting loops call this, never the cleanup, which must run to its end."""
    if _pending_stop is not None:
        raise Interrupted(_pending_stop)


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
        # SQLite's 5 s default wait for a write lock is too short for four components on a
        # loaded 2-core machine: the scheduler exits on "database is locked".
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url
        or f"sqlite:///{home / 'airflow.db'}?timeout=60",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # A task's calls to the Execution API wait on the same SQLite write lock (up to the
        # 60 s above). With the 5 s default, twenty DAG runs starting at once timed out the
        # tasks' start calls, and the supervisor killed tasks that had not yet run a line.
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
        "AIRFLOW__API_AUTH__JWT_SECRET": _persistent_secret(home / "jwt.secret"),
        # The embedded Airflow listens on 127.0.0.1 only; every local user is an admin.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        # Each DAG file is parsed again when it, the source registry or the dbt manifest changes
        # (ol_platform.orchestration.dag_processor), else hourly: re-parsing every file every
        # 30 s took half a core from dbt on a 2-core machine.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        "AIRFLOW__DAG_PROCESSOR__FILE_PARSING_SORT_MODE": "modified_time",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "180",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "2",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        # A model task ended in the triggerer is no executor event: an idle scheduler only sees
        # it after its idle sleep (1 s by default), and each dbt dependency level of the
        # per-model rendering pays that wait once more.
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.25",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "600",
        "AIRFLOW__TRIGGERER__CAPACITY": "50",
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


def _started_at(pid: int) -> float | None:
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _alive(pid: object, record: dict) -> bool:
    """``pid`` is the very process the record names (not a later one given the same pid)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    started = _started_at(pid)
    return started is not None and started == record.get("started", {}).get(str(pid))


def running_record(settings: Settings) -> dict | None:
    """What ``running.json`` says runs over ``settings.home``, if its owner or any component
    is still alive (components outlive an ``olp`` killed with SIGKILL)."""
    path = settings.home / "airflow" / "running.json"
    try:
        record = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    pids = [record.get("pid"), *record.get("groups", {}).values()]
    return record if any(_alive(pid, record) for pid in pids) else None


def already_running_message(settings: Settings, record: dict) -> str:
    if _alive(record.get("pid"), record):
        how = f"Ctrl-C in its terminal, or `kill {record['pid']}`"
    else:  # its olp was killed outright: only the component groups are left
        groups = " ".join(f"-{g}" for g in record.get("groups", {}).values())
        how = f"`kill -TERM -- {groups}`"
    return (
        f"an Airflow already runs over {settings.home} at {record.get('url')}: use it, or stop "
        f"it ({how}), or set OLP_HOME to another folder"
    )


def refuse_if_running(settings: Settings) -> None:
    """Two Airflows over one SQLite metadata DB and one lake would corrupt each other's runs."""
    if record := running_record(settings):
        raise AirflowStartError(already_running_message(settings, record))


@dataclass
class EmbeddedAirflow:
    settings: Settings
    port: int = field(default_factory=free_port)
    connections: dict[str, dict] = field(default_factory=dict)
    db_url: str | None = None
    # Components run as Airflow ships them, without the platform's fixes (a benchmark's
    # baseline): names from PATCHED_COMPONENTS, and DBT_SERVER for plain dbt processes.
    stock: frozenset[str] = frozenset()
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # When each component was first seen unhealthy, and when health was last asked for.
    unhealthy_since: dict[str, float] = field(default_factory=dict)
    health_checked: float = float("-inf")

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

    @property
    def running_file(self) -> Path:
        return self.settings.home / "airflow" / "running.json"

    @property
    def warm_dbt(self) -> bool:
        """Tasks run dbt through the warm server, unless OLP_DBT_EXECUTABLE names a dbt."""
        return DBT_SERVER not in self.stock and "OLP_DBT_EXECUTABLE" not in os.environ

    @property
    def components(self) -> list[str]:
        """What :meth:`start` starts, in order, each in a process group of its own."""
        return [DBT_SERVER, *COMPONENTS] if self.warm_dbt else list(COMPONENTS)

    @property
    def dbt_socket(self) -> Path:
        """The warm dbt server's socket: in the state folder, or, where that path is too long
        for a Unix socket (108 bytes), in a private folder named after it."""
        path = self.settings.home / "airflow" / "dbt.sock"
        if len(os.fsencode(path)) < 100:
            return path
        digest = hashlib.sha256(os.fsencode(self.settings.home)).hexdigest()[:16]
        short = Path(tempfile.gettempdir()) / f"olp-{os.getuid()}-{digest}"
        short.mkdir(mode=0o700, exist_ok=True)
        return short / "dbt.sock"

    def env(self) -> dict[str, str]:
        warm = {}
        if self.warm_dbt:
            from ol_platform.transform.project import DBT_BIN

            warm = {
                "OLP_DBT_EXECUTABLE": str(DBT_BIN / "olp-dbt"),
                "OLP_DBT_SERVER": str(self.dbt_socket),
            }
        return {
            **os.environ,
            **airflow_env(self.settings, self.port, self.connections, self.db_url),
            **warm,
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
            raise AirflowStartError(
                f"`airflow db migrate` failed:\n{done.stderr[-3000:]}\nIf the metadata DB "
                f"is damaged, remove {self.settings.home / 'airflow' / 'airflow.db'} (run "
                "history only; the lake is kept) and start again"
            )
        log.info("metadata DB migrated in %.1fs", time.monotonic() - started)

    def start(self, progress: Callable[[str], None] = log.info) -> EmbeddedAirflow:
        refuse_if_running(self.settings)
        progress("migrating the Airflow metadata DB")
        self.migrate()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        progress(f"starting {', '.join(self.components)} (logs in {self.log_dir})")
        for component in self.components:
            self.spawn(component, env)
            self._record_running()
        progress(f"waiting for the scheduler to report healthy at {self.url}")
        self.wait_healthy()
        self.warm_execution_api()
        self.url_file.write_text(self.url)
        return self

    def warm_execution_api(self) -> None:
        """Answer one Execution API request before any task does: the api-server builds that
        API on its first request (about 3 s here, the whole server waiting), which the first
        task to start paid as a stalled start."""
        try:
            httpx.get(f"{self.url}/execution/health", timeout=60)
        except httpx.HTTPError as exc:  # the tasks will say more, if it persists
            log.warning("the Execution API did not answer its first request: %s", exc)

    def command(self, component: str) -> list[str]:
        if component == DBT_SERVER:
            from ol_platform.transform.project import DBT_BIN

            return [str(DBT_BIN / "olp-dbt-server"), str(self.dbt_socket)]
        args = ["--port", str(self.port)] if component == "api-server" else []
        if component in PATCHED_COMPONENTS and component not in self.stock:
            return [sys.executable, "-m", PATCHED_COMPONENTS[component], *args]
        return self._airflow(component, *args)

    def spawn(self, component: str, env: dict[str, str]) -> subprocess.Popen:
        """Start one component, its output in its log, in a process group of its own (stopped
        as a whole)."""
        self.processes[component] = subprocess.Popen(
            self.command(component),
            env=env,
            stdout=(self.log_dir / f"{component}.log").open("ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self.processes[component]

    def _record_running(self) -> None:
        pids = [os.getpid(), *(proc.pid for proc in self.processes.values())]
        record = {
            "pid": os.getpid(),
            "url": self.url,
            "groups": {name: proc.pid for name, proc in self.processes.items()},
            "started": {str(pid): _started_at(pid) for pid in pids},
        }
        # Atomic: another olp command (or a test) may read it while it is rewritten.
        partial = self.running_file.with_suffix(".json.partial")
        partial.write_text(json.dumps(record))
        partial.replace(self.running_file)

    def wait_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raise_if_stopping()
            self.raise_if_exited("while starting")
            try:
                health = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                if health.get("scheduler", {}).get("status") == "healthy":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(2)
        raise AirflowStartError(
            f"Airflow at {self.url} not healthy after {timeout}s; see the logs in {self.log_dir}"
        )

    def raise_if_exited(self, when: str = "while the command was waiting on it") -> None:
        """Raise :class:`ComponentExited` for the first component whose process has ended:
        Airflow does not restart a dead scheduler, and a command polling the API would
        otherwise wait for runs nobody schedules."""
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise ComponentExited(name, proc.returncode, self.log_dir / f"{name}.log", when)

    def raise_if_unwell(self, when: str = "while the command was waiting on it") -> None:
        """:meth:`raise_if_exited`, and :class:`ComponentStalled` for a component that has
        been unhealthy for :data:`STALL_LIMIT` seconds (asked every :data:`HEALTH_EVERY`)."""
        self.raise_if_exited(when)
        now = time.monotonic()
        if now - self.health_checked < HEALTH_EVERY:
            return
        self.health_checked = now
        try:
            health = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=10).json()
        except (httpx.HTTPError, ValueError):
            return  # a busy api-server: the caller's own requests retry and report it
        for component, process in HEALTH_COMPONENTS.items():
            status = (health.get(component) or {}).get("status")
            if status in (None, "healthy") or process not in self.processes:
                self.unhealthy_since.pop(component, None)
                continue
            since = self.unhealthy_since.setdefault(component, now)
            if now - since >= STALL_LIMIT:
                log_file = self.log_dir / f"{process}.log"
                raise ComponentStalled(process, now - since, log_file, when)

    def stop(self, grace: float = 30) -> None:
        """SIGTERM every component's process group and every group its descendants made (the
        task supervisor puts each task in a group of its own), wait up to ``grace`` seconds,
        then SIGKILL whatever is left."""
        import psutil

        self.url_file.unlink(missing_ok=True)

        leaders = [p.pid for p in self.processes.values() if p.poll() is None]
        # Taken before anything exits: an orphan is re-parented and can no longer be found.
        descendants = []
        for pid in leaders:
            with contextlib.suppress(psutil.Error):
                descendants += psutil.Process(pid).children(recursive=True)
        groups = set(leaders)
        for child in descendants:
            with contextlib.suppress(psutil.Error, OSError):
                groups.add(os.getpgid(child.pid))
        groups.discard(os.getpgrp())  # never our own group (a child that failed to setpgid)
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        psutil.wait_procs(descendants, timeout=max(0.1, deadline - time.monotonic()))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)  # whatever is left of the group
        for child in descendants:
            with contextlib.suppress(psutil.Error):
                child.kill()
        for proc in self.processes.values():
            proc.wait()
        self.processes.clear()
        self.running_file.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedAirflow:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
