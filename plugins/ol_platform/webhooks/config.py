"""Where the webhook client's base URL, secret and tunables come from.

The Airflow connection ``mit_learn_webhook`` (type http): host = MIT Learn's base URL,
password = the shared HMAC secret, extra = optional ``connect_timeout``, ``timeout``,
``max_attempts``, ``backoff_base``, ``backoff_max``. Without that connection the reference's
environment variables ``MIT_LEARN_BASE_URL`` and ``MIT_LEARN_WEBHOOK_SECRET`` are used. The
secret is registered with Airflow's secrets masker as soon as it is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ol_platform.ingest.connections import connection_extra, http_base_url, mask_secret
from ol_platform.webhooks.client import ClientConfig

CONN_ID = "mit_learn_webhook"
BASE_URL_ENV = "MIT_LEARN_BASE_URL"
SECRET_ENV = "MIT_LEARN_WEBHOOK_SECRET"


class WebhookConfigError(ValueError):
    """The webhook cannot be configured; retrying will not help."""


def webhook_config(
    get_connection: Callable[[str], Any] | None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[ClientConfig, str]:
    conn = None
    if get_connection is not None:
        from airflow.sdk.exceptions import AirflowNotFoundException

        try:
            conn = get_connection(CONN_ID)
        except AirflowNotFoundException:
            conn = None  # fall back to the reference's environment variables
    if conn is not None:
        secret = conn.password or environ.get(SECRET_ENV)
        base_url = http_base_url(conn) if conn.host else environ.get(BASE_URL_ENV)
        extra = connection_extra(conn)
    else:
        secret, base_url, extra = environ.get(SECRET_ENV), environ.get(BASE_URL_ENV), {}
    if secret:
        mask_secret(secret)
    where = f"connection '{CONN_ID}'" if conn is not None else f"{BASE_URL_ENV}/{SECRET_ENV}"
    if not base_url:
        raise WebhookConfigError(
            f"MIT Learn webhook: no base URL; set the host of connection '{CONN_ID}' "
            f"or {BASE_URL_ENV}"
        )
    if not secret:
        raise WebhookConfigError(
            f"MIT Learn webhook: no shared secret in {where}; set the password of connection "
            f"'{CONN_ID}' or {SECRET_ENV}"
        )
    try:
        return ClientConfig.from_extra(base_url, extra), secret
    except (TypeError, ValueError) as exc:
        raise WebhookConfigError(f"connection '{CONN_ID}': extra: {exc}") from None
