"""DAGs that can only fail, standing in for configuration that does not validate.

A broken registry entry, an unreadable registry or an unknown ``OLP_ENV`` becomes a DAG whose
page and only task carry the message (file, source, field), instead of an import error that
takes every DAG of the file down with a traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import datetime

from airflow.sdk import DAG, task

from ol_platform.orchestration.callbacks import on_task_failure
from ol_platform.settings import Settings, SettingsError, get_settings

START_DATE = datetime(2024, 1, 1)
INVALID_TAG = "invalid-config"


@task(task_id="invalid_registry_entry", retries=0)
def invalid_entry(message: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(message)  # a retry cannot fix the configuration


def build_broken_dag(dag_id: str, message: str, tag: str) -> DAG:
    """A DAG that fails with ``message``; a parse warning carries it too."""
    warnings.warn(message, stacklevel=2)
    with DAG(
        dag_id=dag_id,
        description=f"INVALID configuration: {message}"[:200],
        doc_md=f"### Invalid configuration\n\n```\n{message}\n```",
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=True,
        tags=[tag, INVALID_TAG],
        default_args={"owner": "data-platform", "on_failure_callback": on_task_failure},
    ) as dag:
        invalid_entry(message)
    return dag


def with_settings(dag_id: str, tag: str, build: Callable[[Settings], DAG]) -> DAG:
    """``build(get_settings())``, or a broken DAG of the same id when the settings are bad."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        return build_broken_dag(dag_id, str(exc), tag)
    return build(settings)
