"""The ``mit_learn_webhooks`` DAG: tell MIT Learn about every newly landed course export.

Scheduled on ``AssetAny`` of the export Assets (``course_exports.<source>`` for mitxonline,
xpro, mitx and canvas): a run starts after any export lands something, and its one task reads
``triggering_asset_events`` (every export event since the last run), builds one signed POST
per archive (mitx archives are not sent) to
``<MIT Learn>/api/v1/webhooks/content_files/`` and records each acknowledgement in the
delivery ledger (``ol_warehouse_<env>_platform.mit_learn_webhook_deliveries``), which makes a
rerun skip what MIT Learn already acknowledged.

Configuration: connection ``mit_learn_webhook`` (host = base URL, password = shared secret,
extra = timeouts and retry tunables), else ``MIT_LEARN_BASE_URL`` / ``MIT_LEARN_WEBHOOK_SECRET``.
The secret is masked in task logs. Transient failures (5xx, 408, 429, timeouts, connection
errors) are retried inside the task with backoff and jitter, then by the task's own retries;
any other 4xx, a malformed export event or a missing configuration fails the task at once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from airflow.sdk import DAG, AssetAny, task

from ol_platform.exports.assets import EXPORT_SOURCES, export_asset
from ol_platform.orchestration.defaults import default_args
from ol_platform.settings import Settings

DAG_ID = "mit_learn_webhooks"
log = logging.getLogger(__name__)


@task(task_id="notify_mit_learn")
def notify_mit_learn(**context) -> dict[str, int]:
    """POST one signed webhook per new archive of the triggering export events."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.lake.catalog import get_catalog
    from ol_platform.settings import get_settings
    from ol_platform.webhooks.client import MITLearnClient, WebhookRejectedError
    from ol_platform.webhooks.config import WebhookConfigError, webhook_config
    from ol_platform.webhooks.delivery import archives_from_events, deliver
    from ol_platform.webhooks.ledger import DeliveryLedger, ledger_identifier
    from ol_platform.webhooks.payloads import ArchiveItemError

    try:
        items = archives_from_events(context.get("triggering_asset_events") or {})
        if not items:
            log.info("the triggering export events list no new archive; nothing to announce")
            return {"delivered": 0, "already_acknowledged": 0, "not_sent": 0}
        config, secret = webhook_config(BaseHook.get_connection)
        settings = get_settings()
        ledger = DeliveryLedger(get_catalog(settings), ledger_identifier(settings.env))
        with MITLearnClient(config, secret) as client:
            report = deliver(items, client=client, ledger=ledger, run_id=context.get("run_id"))
    except (WebhookRejectedError, ArchiveItemError, WebhookConfigError) as exc:
        raise AirflowFailException(str(exc)) from exc  # a retry would be refused the same way
    return report.as_dict()


def build_webhook_dag(settings: Settings) -> DAG:
    with DAG(
        dag_id=DAG_ID,
        description="Signed MIT Learn webhooks for newly landed course exports",
        doc_md=__doc__,
        schedule=AssetAny(*(export_asset(s) for s in EXPORT_SOURCES)),
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,  # one writer of the ledger at a time
        is_paused_upon_creation=not settings.is_production,
        tags=["mitlearn", "content", "course-export"],
        default_args=default_args(
            retries=3, timeout_minutes=60, retry_delay_minutes=5, max_retry_delay_minutes=60
        ),
    ) as dag:
        notify_mit_learn()
    return dag
