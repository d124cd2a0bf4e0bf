"""The ``openmetadata_ingestion`` Airflow DAG: dbt artifacts to S3, the warehouse and its dbt
lineage into OpenMetadata, after each transform build.

Thin by design; see ``ol_platform.orchestration.catalog_dag``.
"""

from ol_platform.orchestration.catalog_dag import build_catalog_dag
from ol_platform.settings import get_settings

openmetadata_ingestion = build_catalog_dag(get_settings())
