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
            job_id = (event or {}).get("job_id")
            reason = failure_reason(self.airbyte_conn_id, job_id) if job_id else None
            raise AirflowException(
                f"Airbyte sync of '{self.connection_name}' (connection {self.connection_id}, "
                f"job {job_id}) did not succeed: {exc}"
                + (f"; Airbyte's reason: {reason}" if reason else "")
            ) from exc


def failure_reason(airflow_conn_id: str, job_id: int, timeout: float = 15) -> str | None:
    """Airbyte's own explanation of a failed job, or None when it cannot be had.

    The public API's job carries only a status; the reasons live in the config API
    (``POST /api/v1/jobs/get``: each attempt's ``failureSummary``). Its address is the public
    API's with ``/public`` dropped, or the connection extra ``config_api_url``. Best effort:
    the task is failing anyway, and this lookup must not hide the original error.
    """
    import httpx
    from airflow.providers.airbyte.hooks.airbyte import AirbyteHook

    from ol_platform.ingest.connections import mask_secret

    try:
        hook = AirbyteHook(airbyte_conn_id=airflow_conn_id)
        params = hook.conn
        public = params["host"].rstrip("/")
        extra = hook.get_connection(airflow_conn_id).extra_dejson
        config_api = extra.get("config_api_url") or public.replace("/api/public/", "/api/")
        headers = {}
        if params["client_id"] and params["client_secret"]:
            token_url = params["token_url"]
            if "://" not in token_url:
                token_url = f"{public.rsplit('/v1', 1)[0]}/{token_url.lstrip('/')}"
            mask_secret(params["client_secret"])  # form-encoded in the body below
            token = httpx.post(
                token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": params["client_id"],
                    "client_secret": params["client_secret"],
                },
                timeout=timeout,
            )
            token.raise_for_status()
            mask_secret(token.json()["access_token"])  # obtained at run time: not yet masked
            headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        answer = httpx.post(
            f"{config_api.rstrip('/')}/jobs/get",
            json={"id": job_id},
            headers=headers,
            timeout=timeout,
        )
        answer.raise_for_status()
        messages = [
            failure.get("externalMessage") or failure.get("internalMessage")
            for attempt in answer.json().get("attempts", [])
            for failure in (attempt.get("attempt", {}).get("failureSummary") or {}).get(
                "failures", []
            )
        ]
        messages = [m for m in messages if m]
        return " | ".join(dict.fromkeys(messages)) or None
    except Exception as exc:  # the task's own error is what matters; say why there is no reason
        return f"(not available: {type(exc).__name__}: {exc})"
