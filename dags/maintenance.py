"""The ``lake_maintenance`` Airflow DAG: daily Iceberg compaction, snapshot expiry and orphan-file
removal for every lake namespace.

Thin by design; see ``ol_platform.orchestration.maintenance_dag``.
"""

from ol_platform.orchestration.broken_dag import with_settings
from ol_platform.orchestration.maintenance_dag import DAG_ID, build_maintenance_dag

lake_maintenance = with_settings(DAG_ID, "maintenance", build_maintenance_dag)
