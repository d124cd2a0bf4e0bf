"""``olp up``: the local Airflow over the state ``make demo`` or ``olp seed`` left, until stopped.

Nothing is rerun: the lake, the metadata DB (runs, logs) and the dbt artifacts stay as they are,
and the sample systems are served again so that runs triggered from the UI can load. It refuses
an empty state folder: every DAG is paused locally and the transform has nothing to read, so an
empty Airflow only looks broken; ``make demo`` or ``olp seed`` is the first step.
"""

from __future__ import annotations

import contextlib
import time

from ol_platform.cli.embedded_airflow import (
    ComponentExited,
    EmbeddedAirflow,
    Interrupted,
    raise_if_stopping,
    refuse_if_running,
    stop_on_signals,
)
from ol_platform.cli.local_state import UserError, require_raw_tables
from ol_platform.cli.progress import Steps, say
from ol_platform.settings import Settings


def login_hint(env: dict[str, str]) -> str:
    """How to log in to the UI, from the auth settings the Airflow was started with."""
    if env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "").lower() == "true":
        return "no login: the local Airflow listens on 127.0.0.1 only and makes everyone admin"
    users = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    names = ", ".join(u.split(":")[0] for u in users.split(","))
    passwords = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE") or (
        f"{env['AIRFLOW_HOME']}/simple_auth_manager_passwords.json.generated"
    )
    return f"user {names}; the password is in {passwords}"


def run_up(settings: Settings, *, port: int | None = None, steps: Steps | None = None) -> int:
    from ol_platform.samples.systems import sample_systems
    from ol_platform.sources.registry import load_registry
    from ol_platform.transform.project import load_graph

    steps = steps or Steps()
    load_graph()  # the DAGs read the dbt manifest: fail fast with `make build` if it is missing
    refuse_if_running(settings)
    tables = require_raw_tables(settings)
    if not (settings.home / "airflow" / "airflow.db").exists():
        steps(f"{len(tables)} raw tables, no Airflow runs yet (`olp seed` state)")
    registry = load_registry()
    with stop_on_signals():
        try:
            steps("serving the sample systems (runs triggered from the UI load from them)")
            with sample_systems(settings, registry) as connections:
                kwargs = {"port": port} if port else {}
                airflow = EmbeddedAirflow(settings, connections=connections, **kwargs)
                try:
                    airflow.start(progress=steps)
                    env = airflow.env()
                    say(
                        f"\nAirflow UI: {airflow.url}\n"
                        f"  login:  {login_hint(env)}\n"
                        f"  state:  {settings.home} (ingest DAGs are paused; unpause or "
                        "trigger them in the UI)\n"
                        f"  logs:   {airflow.log_dir}\n"
                        "Ctrl-C (or SIGTERM) stops it.\n"
                    )
                    _watch(airflow)
                finally:
                    steps("stopping Airflow")
                    airflow.stop()
        except Interrupted as stop:
            steps(f"stopped ({stop}); every Airflow process has exited")
            return 0
    return 1


def _watch(airflow: EmbeddedAirflow) -> None:
    """Block until a signal; a component that dies ends the command with where to look."""
    while True:
        raise_if_stopping()
        try:
            airflow.raise_if_exited()
        except ComponentExited as exited:
            raise UserError(f"{exited}; run `olp up` again") from exited
        with contextlib.suppress(InterruptedError):
            time.sleep(2)
