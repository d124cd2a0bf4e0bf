"""Run the warm dbt server (``olp-dbt-server``, from the dbt environment's ``olp_dbt.warm``)
outside the embedded Airflow: for the benchmarks and tests that compare or exercise it.

The embedded Airflow starts it as one of its components; this is the same command, waited for
until it serves, and stopped with its process group (its running commands too).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from ol_platform.transform.project import DBT_BIN


@contextlib.contextmanager
def warm_dbt_server(
    socket: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    warm_up: bool = True,
) -> Iterator[subprocess.Popen]:
    """A warm dbt server on ``socket`` (its output in ``log``) for the ``with`` block; with
    ``warm_up`` false, one that has only imported dbt (the benchmarks' baseline)."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(DBT_BIN / "olp-dbt-server"), *([] if warm_up else ["--no-warm-up"]), str(socket)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the warm dbt server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
