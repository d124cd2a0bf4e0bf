"""The ``transform`` Airflow DAG: the dbt project through Cosmos, on the raw-table Assets.

Thin by design; see ``ol_platform.orchestration.transform_dag``.
"""

from ol_platform.orchestration.transform_dag import build_transform_dag
from ol_platform.settings import get_settings

transform = build_transform_dag(get_settings())
