"""The ``lake_maintenance`` Airflow DAG: daily Iceberg compaction, snapshot expiry and orphan-file
removal for every lake namespace.

Thin by design; see ``ol_platform.orchestration.maintenance_dag``.
"""

from ol_platform.orchestration.maintenance_dag import build_maintenance_dag
from ol_platform.settings import get_settings

lake_maintenance = build_maintenance_dag(get_settings())
