"""What every platform DAG shares: task defaults and the asset-schedule workaround."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, AssetAny

from ol_platform.orchestration.callbacks import on_task_failure


def default_args(
    owner: str = "data-platform",
    retries: int = 2,
    timeout_minutes: int = 120,
    *,
    retry_delay_minutes: int = 2,
    max_retry_delay_minutes: int = 30,
) -> dict:
    """Retries with exponential backoff, a time limit and the failure callback."""
    return {
        "owner": owner,
        "retries": retries,
        "retry_delay": timedelta(minutes=retry_delay_minutes),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=max_retry_delay_minutes),
        "execution_timeout": timedelta(minutes=timeout_minutes),
        "on_failure_callback": on_task_failure,
    }


def set_asset_schedule(dag: DAG, condition: AssetAny) -> None:
    """Schedule ``dag`` on ``condition`` after its tasks exist.

    Every ``a >> b`` hashes the DAG, schedule included, and hashing an AssetAny of dozens of
    Assets per edge cost the transform DAG 1.2 s of parse; so such DAGs are built with
    ``schedule=None`` and get their schedule last. ``schedule`` is frozen after construction
    (attrs) and the timetable derives from it, so both are set here.
    """
    from airflow.sdk.definitions.timetables.assets import AssetTriggeredTimetable

    object.__setattr__(dag, "schedule", condition)
    dag.timetable = AssetTriggeredTimetable(condition)
