"""The course-export Airflow DAGs: ``course_export__<deployment>`` (Open edX: mitxonline, xpro,
mitx; daily) and ``course_export__canvas`` (every 6 hours), each emitting the Asset
``course_exports.<source>`` listing the archives it landed.

Thin by design; see ``ol_platform.orchestration.export_dags``.
"""

from ol_platform.orchestration.export_dags import build_export_dags
from ol_platform.settings import get_settings

globals().update(build_export_dags(get_settings()))
