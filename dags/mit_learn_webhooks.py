"""The ``mit_learn_webhooks`` Airflow DAG: signed webhooks to MIT Learn for new course exports.

Thin by design; see ``ol_platform.orchestration.webhook_dag``.
"""

from ol_platform.orchestration.broken_dag import with_settings
from ol_platform.orchestration.webhook_dag import DAG_ID, build_webhook_dag

mit_learn_webhooks = with_settings(DAG_ID, "mitlearn", build_webhook_dag)
