"""The Assets the course-export DAGs emit, one per export source.

``course_exports.<source>`` at ``olp-landing://course-exports/<source>``; the event's extra is
``{"archives": [...]}``, one item per archive that newly landed (see ``ol_platform.exports``).
The MIT Learn webhook DAG is scheduled on these.
"""

from airflow.sdk import Asset

EXPORT_SOURCES = ("mitxonline", "xpro", "mitx", "canvas")


def export_asset(source: str) -> Asset:
    return Asset(name=f"course_exports.{source}", uri=f"olp-landing://course-exports/{source}")
