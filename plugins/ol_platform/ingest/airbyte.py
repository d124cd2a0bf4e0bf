"""The production ingest path: a deferrable Airbyte sync per connection of a source.

Registry entries name their Airbyte connections; the deployment maps each name to the
connection's id in its Airbyte workspace with the Airflow Variable
``airbyte_connection__<name>``, resolved when the task runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.airbyte.operators.airbyte import AirbyteTriggerSyncOperator
from airflow.providers.common.compat.sdk import AirflowException


def connection_variable(name: str) -> str:
    return f"airbyte_connection__{name}"


class AirbyteSyncOperator(AirbyteTriggerSyncOperator):
    """Trigger one Airbyte connection's sync and wait for it in the triggerer.

    On ``execution_timeout`` the provider cancels the Airbyte job; failures name the job, the
    Airbyte connection and the logical connection name of the registry.
    """

    def __init__(self, *, connection_name: str, timeout_minutes: int, **kwargs: Any) -> None:
        self.connection_name = connection_name
        variable = connection_variable(connection_name)
        super().__init__(
            connection_id="{{ var.value.get('" + variable + "', '') }}",
            deferrable=True,
            execution_timeout=timedelta(minutes=timeout_minutes),
            timeout=timeout_minutes * 60,
            **kwargs,
        )

    def execute(self, context: Any) -> Any:
        if not self.connection_id:
            raise AirflowException(
                f"Airbyte connection '{self.connection_name}' has no id in this deployment: set "
                f"the Airflow Variable '{connection_variable(self.connection_name)}'"
            )
        return super().execute(context)

    def execute_complete(self, context: Any, event: Any = None) -> None:
        try:
            return super().execute_complete(context, event)
        except Exception as exc:
            raise AirflowException(
                f"Airbyte sync of '{self.connection_name}' (connection {self.connection_id}, "
                f"job {(event or {}).get('job_id')}) did not succeed: {exc}"
            ) from exc
