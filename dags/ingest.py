"""One ``ingest__<source>`` Airflow DAG per entry of include/sources.yaml.

Thin by design: the registry is read (a local file) and each entry handed to the factory in
``ol_platform.orchestration.ingest_dag``. A broken entry yields a DAG that can only fail with
the validation error; the other sources are unaffected.
"""

from ol_platform.orchestration.ingest_dag import build_broken_dag, build_ingest_dag
from ol_platform.settings import get_settings
from ol_platform.sources.models import Transport
from ol_platform.sources.registry import load_registry, registry_path

_settings = get_settings()
_path = registry_path()
_registry = load_registry(_path)

for _source in _registry.sources.values():
    if _source.transport is not Transport.COURSE_EXPORT:  # dags/course_exports.py runs these
        globals()[_source.dag_id] = build_ingest_dag(_source, _settings, str(_path))

for _name, _message in _registry.errors.items():
    globals()[f"ingest__{_name}"] = build_broken_dag(_name, _message)
