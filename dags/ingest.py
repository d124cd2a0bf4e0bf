"""One ``ingest__<source>`` Airflow DAG per entry of include/sources.yaml.

Thin by design: ``ol_platform.orchestration.ingest_dag`` reads the registry (a local file) and
builds each entry's DAG. A broken entry yields a DAG that can only fail with the validation
error (file, source, field); the other sources are unaffected.
"""

from ol_platform.orchestration.ingest_dag import build_ingest_dags

globals().update(build_ingest_dags())
