"""The course-export Airflow DAGs, one per ``transport: course_export`` entry of the registry:
``course_export__<deployment>`` (Open edX) and ``course_export__canvas``, each on its entry's
cadence and emitting the Asset ``course_exports.<source>`` listing the archives it landed.

Thin by design; see ``ol_platform.orchestration.export_dags``.
"""

from ol_platform.orchestration.export_dags import build_export_dags

globals().update(build_export_dags())
