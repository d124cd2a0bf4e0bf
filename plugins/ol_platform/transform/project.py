"""Facts about the dbt project that DAGs need at parse time, read from its manifest.

The manifest (``dbt_project/target/manifest.json``) is built ahead of parse time by
``make build`` (``dbt parse``); parsing DAGs only reads that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ol_platform.settings import REPO_ROOT

DBT_PROJECT_DIR = Path(os.environ.get("OLP_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"))
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
DBT_EXECUTABLE = Path(
    os.environ.get("OLP_DBT_EXECUTABLE", DBT_PROJECT_DIR / ".venv" / "bin" / "dbt")
)
PROJECT_NAME = "ol_dbt"


class ManifestMissingError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # the custom schema: staging, intermediate, ...
    source_tables: tuple[str, ...]


@dataclass(frozen=True)
class ProjectGraph:
    models: tuple[Model, ...]
    source_tables: tuple[str, ...]


@lru_cache(maxsize=2)
def load_graph(manifest_path: Path = MANIFEST_PATH) -> ProjectGraph:
    try:
        manifest = json.loads(Path(manifest_path).read_text())
    except FileNotFoundError:
        raise ManifestMissingError(
            f"{manifest_path}: the dbt manifest is missing; build it with `make build` "
            "(runs `dbt parse` in the dbt environment)"
        ) from None
    sources = {
        uid: node["name"]
        for uid, node in manifest["sources"].items()
        if node["package_name"] == PROJECT_NAME
    }
    models = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != PROJECT_NAME:
            continue
        upstream = node["depends_on"]["nodes"]
        models.append(
            Model(
                name=node["name"],
                layer=node["config"].get("schema") or "",
                source_tables=tuple(sorted(sources[u] for u in upstream if u in sources)),
            )
        )
    return ProjectGraph(
        models=tuple(sorted(models, key=lambda m: m.name)),
        source_tables=tuple(sorted(set(sources.values()))),
    )
