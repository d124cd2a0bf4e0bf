"""The ``transform`` Airflow DAG: the dbt project through Cosmos, on the raw-table Assets.

Thin by design; see ``ol_platform.orchestration.transform_dag``. A project too large for one
DAG in the per-model rendering becomes several (``transform``, ``transform__part_02``, ...).
"""

from ol_platform.orchestration.broken_dag import build_broken_dag
from ol_platform.orchestration.transform_dag import DAG_ID, build_transform_dags
from ol_platform.settings import SettingsError, get_settings

try:
    dags = build_transform_dags(get_settings())
except SettingsError as exc:
    dags = [build_broken_dag(DAG_ID, str(exc), "transform")]
for _dag in dags:
    globals()[_dag.dag_id] = _dag  # the DAG processor collects the module's DAGs
transform = dags[0]
