"""Check a dbt ``--select`` expression against the manifest before anything runs.

dbt itself accepts a selector that matches nothing (it warns and builds nothing), so a typo in
a backfill would "succeed" having done no work. Every model name, ``tag:``, ``source:``,
``path:`` and ``config.schema:`` term must match the manifest; graph operators (``+``,
``n+``, ``@``), unions (spaces) and intersections (commas) are understood.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ol_platform.transform.project import MANIFEST_PATH, PROJECT_NAME, ManifestMissingError

# Methods whose value this module checks; other dbt methods (state:, result:, ...) depend on
# run artifacts and pass through to dbt.
UNCHECKED_METHODS = {
    "state",
    "result",
    "source_status",
    "exposure",
    "metric",
    "semantic_model",
    "saved_query",
    "unit_test",
    "access",
    "group",
    "version",
    "test_type",
    "test_name",
    "resource_type",
    "wildcard",
    "file",
}
GRAPH_OPS = re.compile(r"^(@|\d*\+)?(?P<term>.+?)(\+\d*)?$")


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Manifest:
    nodes: dict[str, dict]  # name -> node (models, seeds, snapshots)
    tags: frozenset[str]
    sources: frozenset[str]  # "source_name.table" and "source_name"
    paths: tuple[str, ...]
    schemas: frozenset[str]

    @classmethod
    def load(cls, path: Path = MANIFEST_PATH) -> Manifest:
        try:
            manifest = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ManifestMissingError(
                f"{path}: the dbt manifest is missing; build it with `make build`"
            ) from None
        nodes = {
            n["name"]: n
            for n in manifest["nodes"].values()
            if n["package_name"] == PROJECT_NAME
            and n["resource_type"] in {"model", "seed", "snapshot"}
        }
        sources = set()
        for s in manifest["sources"].values():
            sources |= {s["source_name"], f"{s['source_name']}.{s['name']}"}
        return cls(
            nodes=nodes,
            tags=frozenset(t for n in manifest["nodes"].values() for t in n.get("tags", [])),
            sources=frozenset(sources),
            paths=tuple(n["original_file_path"] for n in nodes.values()),
            schemas=frozenset(n["config"].get("schema") or "" for n in nodes.values()),
        )


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _check_term(term: str, manifest: Manifest, where: str) -> None:
    match = GRAPH_OPS.match(term)
    assert match is not None
    term = match.group("term")
    method, sep, value = term.partition(":")
    if not sep:
        method, value = "", term
    if method in UNCHECKED_METHODS:
        return
    if method in {"", "fqn"}:
        if "*" in value or "?" in value:
            if not fnmatch.filter(manifest.nodes, value.split(".")[-1]):
                raise SelectorError(f"{where}: '{term}' matches no model in {MANIFEST_PATH}")
            return
        name = value.split(".")[-1]
        if name not in manifest.nodes:
            raise SelectorError(
                f"{where}: unknown model '{name}': not in {MANIFEST_PATH}"
                f"{_suggest(name, sorted(manifest.nodes))}"
            )
    elif method == "tag":
        if value not in manifest.tags:
            raise SelectorError(
                f"{where}: no node has the tag '{value}'{_suggest(value, sorted(manifest.tags))}"
            )
    elif method == "source":
        if not any(fnmatch.fnmatch(s, value) for s in manifest.sources):
            raise SelectorError(f"{where}: unknown source '{value}'")
    elif method == "path":
        if not any(p.startswith(value.rstrip("/")) for p in manifest.paths):
            raise SelectorError(f"{where}: no model under the path '{value}'")
    elif method == "config.schema":
        if value not in manifest.schemas:
            raise SelectorError(
                f"{where}: no model in the schema '{value}'"
                f"{_suggest(value, sorted(manifest.schemas))}"
            )
    elif method.startswith("config.") or method == "package":
        return
    else:
        raise SelectorError(f"{where}: '{method}:' is not a dbt selector method")


def validate_selector(select: str, manifest: Manifest | None = None) -> list[str]:
    """The selector's union terms, once every term matches something in the manifest."""
    if not select.strip():
        raise SelectorError("--select: empty selector")
    manifest = manifest or Manifest.load()
    terms = select.split()
    for union in terms:
        for term in union.split(","):
            if not term:
                raise SelectorError(f"--select '{select}': empty term")
            _check_term(term, manifest, f"--select '{select}'")
    return terms
