"""The ``mit_learn_webhooks`` Airflow DAG: signed webhooks to MIT Learn for new course exports.

Thin by design; see ``ol_platform.orchestration.webhook_dag``.
"""

from ol_platform.orchestration.webhook_dag import build_webhook_dag
from ol_platform.settings import get_settings

mit_learn_webhooks = build_webhook_dag(get_settings())
