"""The ``transform`` Airflow DAG: the dbt project through Cosmos, on the raw-table Assets.

Thin by design; see ``ol_platform.orchestration.transform_dag``.
"""

from ol_platform.orchestration.broken_dag import with_settings
from ol_platform.orchestration.transform_dag import DAG_ID, build_transform_dag

transform = with_settings(DAG_ID, "transform", build_transform_dag)
