"""Run an ``airflow <command>`` in this process, after the platform's fixes are applied.

The modules that wrap an Airflow component (``api_server``, ``dag_processor``, ``triggerer``)
patch Airflow in memory, so the command must run in the same interpreter, not in a new one.
"""

from __future__ import annotations

import sys


def run(command: str, argv: list[str] | None = None) -> None:
    """``airflow <command> [argv]``; ``argv`` defaults to this process's own arguments."""
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", command, *(sys.argv[1:] if argv is None else argv)]
    airflow_main()
