"""The ``openmetadata_ingestion`` Airflow DAG: dbt artifacts to S3, the warehouse and its dbt
lineage into OpenMetadata, after each transform build.

Thin by design; see ``ol_platform.orchestration.catalog_dag``.
"""

from ol_platform.orchestration.broken_dag import with_settings
from ol_platform.orchestration.catalog_dag import DAG_ID, build_catalog_dag

openmetadata_ingestion = with_settings(DAG_ID, "dbt", build_catalog_dag)
