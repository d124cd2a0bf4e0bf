"""Facts about the dbt project that DAGs need at parse time, read from its manifest.

The manifest (``dbt_project/target/manifest.json``) is built ahead of parse time by
``make build`` (``dbt parse``); parsing DAGs only reads that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ol_platform.settings import REPO_ROOT

DBT_PROJECT_DIR = Path(os.environ.get("OLP_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"))
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# The dbt environment's commands: dbt, and the warm dbt server and its client (olp_dbt.warm).
DBT_BIN = DBT_PROJECT_DIR / ".venv" / "bin"
DBT_EXECUTABLE = Path(os.environ.get("OLP_DBT_EXECUTABLE", DBT_BIN / "dbt"))
PROJECT_NAME = "ol_dbt"


class ManifestMissingError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # the custom schema: staging, intermediate, ...
    source_tables: tuple[str, ...]  # raw tables it reads directly
    parents: tuple[str, ...] = ()  # models it reads
    tests: tuple[str, ...] = ()  # unique ids of the tests on it (a test on two models: both)

    @property
    def unique_id(self) -> str:
        return f"model.{PROJECT_NAME}.{self.name}"


@dataclass(frozen=True)
class ProjectGraph:
    models: tuple[Model, ...]
    source_tables: tuple[str, ...]
    test_parents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test -> models

    def tests_of(self, model: Model, selected: set[str] | None = None) -> list[str]:
        """The tests dbt runs with ``model``: all of them (eager), or with ``selected`` only
        those whose models are all selected (``--indirect-selection cautious``)."""
        if selected is None:
            return list(model.tests)
        return [
            t
            for t in model.tests
            if all(p.split(".")[-1] in selected for p in self.test_parents.get(t, ()))
        ]

    def in_layers(self, layers: tuple[str, ...]) -> list[Model]:
        return [m for m in self.models if m.layer in layers]

    def upstream_source_tables(self, names: list[str]) -> tuple[str, ...]:
        """Raw tables the named models read, directly or through the models they read."""
        by_name = {m.name: m for m in self.models}
        seen, tables, todo = set(), set(), list(names)
        while todo:
            model = by_name.get(todo.pop())
            if model is None or model.name in seen:
                continue
            seen.add(model.name)
            tables.update(model.source_tables)
            todo.extend(model.parents)
        return tuple(sorted(tables))

    def staging_models_of(self, raw_tables: list[str]) -> list[str]:
        """Staging models reading any of ``raw_tables``: what a source's ingest DAG stages."""
        wanted = set(raw_tables)
        return [m.name for m in self.in_layers(("staging",)) if wanted & set(m.source_tables)]


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
    tests: dict[str, list[str]] = {}
    test_parents: dict[str, tuple[str, ...]] = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] == "test":
            parents = tuple(u for u in node["depends_on"]["nodes"] if u.startswith("model."))
            test_parents[uid] = parents
            for parent in parents:
                tests.setdefault(parent, []).append(uid)
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
                parents=tuple(sorted(u.split(".")[-1] for u in upstream if u.startswith("model."))),
                tests=tuple(sorted(tests.get(node["unique_id"], []))),
            )
        )
    return ProjectGraph(
        models=tuple(sorted(models, key=lambda m: m.name)),
        source_tables=tuple(sorted(set(sources.values()))),
        test_parents=test_parents,
    )
