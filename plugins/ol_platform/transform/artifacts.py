"""Keep each dbt run's artifacts for the catalog (OpenMetadata reads them) and for debugging.

Cosmos runs dbt in a throwaway copy of the project; this callback copies ``manifest.json``,
``run_results.json`` (and ``sources.json`` / ``catalog.json`` when produced) to
``<root>/<dag_id>/<run_id>/<task_id>/`` and refreshes ``<root>/<dag_id>/latest/``. The root is
``OLP_DBT_ARTIFACTS_URL`` (e.g. ``s3://ol-data-lake-artifacts/dbt``, any fsspec URL) or, by
default, ``$OLP_HOME/dbt_artifacts``.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from ol_platform.settings import Settings, get_settings

log = logging.getLogger(__name__)

ARTIFACTS = ("manifest.json", "run_results.json", "sources.json", "catalog.json")


def artifacts_root(settings: Settings | None = None) -> str:
    configured = os.environ.get("OLP_DBT_ARTIFACTS_URL")
    return configured or str((settings or get_settings()).home / "dbt_artifacts")


def _safe(part: str) -> str:
    # Run ids carry ':' and '+' (manual__2026-11-25T15:00:00+00:00): keep paths portable.
    return re.sub(r"[^A-Za-z0-9_.=-]", "_", part)


def keep_artifacts(
    project_dir: str, context: Any = None, names: tuple[str, ...] = ARTIFACTS, **_: Any
) -> list[str]:
    """Cosmos ``callback``: copy the run's artifacts (``names``) out of the temporary project dir.

    ``dbt docs generate`` keeps only ``catalog.json``: its manifest (without compiled SQL) and
    run_results (a compile) must not replace the build's in ``latest/``.
    """
    import fsspec

    target = Path(project_dir) / "target"
    found = [target / name for name in names if (target / name).is_file()]
    ti = (context or {}).get("ti")
    dag_id = getattr(ti, "dag_id", "adhoc")
    run_id = getattr(ti, "run_id", "adhoc")
    task_id = getattr(ti, "task_id", "dbt")
    root = artifacts_root().rstrip("/")
    run_dir = f"{root}/{_safe(dag_id)}/{_safe(run_id)}/{_safe(task_id)}"
    latest = f"{root}/{_safe(dag_id)}/latest"
    fs, _ = fsspec.core.url_to_fs(root)
    written = []
    for path in found:
        data = path.read_bytes()
        for directory in (run_dir, latest):
            fs.makedirs(directory, exist_ok=True)
            with fs.open(f"{directory}/{path.name}", "wb") as out:
                out.write(data)
        written.append(f"{run_dir}/{path.name}")
    log.info("dbt artifacts kept in %s: %s", run_dir, [p.name for p in found])
    return written
