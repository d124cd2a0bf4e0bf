"""Load include/sources.yaml into validated :class:`Source` records.

Entries are validated one by one: a broken entry is reported with the file, the source and
the field, and the others are still returned, so one bad record cannot take every ingest
DAG down with it. Reading the registry is a local file read, safe at DAG parse time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ol_platform.settings import REPO_ROOT
from ol_platform.sources.models import Source

DEFAULT_REGISTRY = REPO_ROOT / "include" / "sources.yaml"


def registry_path() -> Path:
    """``OLP_REGISTRY`` if set (tests, alternative deployments), else include/sources.yaml."""
    return Path(os.environ.get("OLP_REGISTRY") or DEFAULT_REGISTRY)


class RegistryError(ValueError):
    """The registry file itself cannot be read (not one source's fault)."""


@dataclass
class Registry:
    path: Path
    sources: dict[str, Source] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Source:
        if name in self.errors:
            raise RegistryError(self.errors[name])
        try:
            return self.sources[name]
        except KeyError:
            raise KeyError(f"{self.path}: no source named {name!r}") from None


def _describe(path: Path, name: str, err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(entry)"
    message = err["msg"]
    if err["type"] == "missing":
        return f"{path}: source '{name}': field '{where}' is required"
    if err["type"] == "extra_forbidden":
        return f"{path}: source '{name}': field '{where}' is not a known setting"
    return f"{path}: source '{name}': field '{where}': {err['input']!r}: {message}"


def parse_registry(raw: Any, path: Path) -> Registry:
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise RegistryError(f"{path}: expected a mapping with a 'sources' list at the top level")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise RegistryError(f"{path}: 'defaults' must be a mapping")
    registry = Registry(path=path)
    for index, entry in enumerate(raw["sources"]):
        if not isinstance(entry, dict):
            registry.errors[f"#{index}"] = f"{path}: entry #{index} is not a mapping"
            continue
        name = str(entry.get("name") or f"#{index}")
        if name in registry.sources or name in registry.errors:
            registry.errors[name] = f"{path}: source '{name}': field 'name': defined twice"
            registry.sources.pop(name, None)
            continue
        try:
            registry.sources[name] = Source.model_validate({**defaults, **entry})
        except ValidationError as exc:
            registry.errors[name] = "; ".join(_describe(path, name, e) for e in exc.errors())
    return registry


def load_registry(path: Path | str | None = None) -> Registry:
    path = Path(path) if path else registry_path()
    try:
        text = path.read_text()
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the source registry: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    return parse_registry(raw, path)
