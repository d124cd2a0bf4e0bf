"""Load include/sources.yaml into validated :class:`Source` records.

The promise: a broken entry costs exactly that entry. Each problem is one :class:`Problem`
(file, source, field, what is wrong) and each broken entry one :class:`BrokenEntry`, whose
DAG id is always a valid one (the entry's name when that is a usable name, else
``broken__entry_<index>``), so the DAG files give it one failing DAG and build every other
source's DAG as usual. Only what makes the whole file unreadable (not UTF-8 at all, not
YAML, no ``sources`` list) is fatal, and that too is one problem, never a traceback.

Hostile input is bounded: the file size is capped, YAML aliases are refused rather than
expanded (``strict_yaml``), duplicate keys are errors rather than last-wins, every value a
message repeats is cut to ``strict_yaml.ECHO_LIMIT`` characters, and each entry reports at
most ``MAX_PROBLEMS_PER_ENTRY`` problems. Reading the registry is a local file read, safe at
DAG parse time.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import TypeAdapter, ValidationError

from ol_platform.settings import REPO_ROOT
from ol_platform.sources import strict_yaml
from ol_platform.sources.models import FieldError, Source, Transport, name_problem
from ol_platform.sources.strict_yaml import Refused, cut, shorten

DEFAULT_REGISTRY = REPO_ROOT / "include" / "sources.yaml"
# A registry is a few tens of KiB; this bounds what a parse can cost whatever the file holds.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_PROBLEMS_PER_ENTRY = 10
# No list in an entry (tables, tags, keys) comes near this; validating a longer one would only
# produce as many errors.
MAX_LIST_ITEMS = 1000
TOP_LEVEL_KEYS = ("defaults", "sources")
# Characters YAML refuses to read (its reader would abort the whole file on them).
_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_REPLACEMENT = "\ufffd"
_UNDECODABLE = "holds bytes that are not UTF-8 text or not printable"


def registry_path() -> Path:
    """``OLP_REGISTRY`` if set (tests, alternative deployments), else include/sources.yaml."""
    return Path(os.environ.get("OLP_REGISTRY") or DEFAULT_REGISTRY)


class RegistryError(ValueError):
    """A registry entry (or the file itself) is not valid; the message says where and why."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong: ``<file>: <where>: field '<field>': <what>``, on one line."""

    path: Path
    where: str | None  # "source 'xpro'", "entry #3", "defaults", "top level"; None: the file
    field: str | None
    detail: str

    def __str__(self) -> str:
        parts = [str(self.path)]
        if self.where:
            parts.append(self.where)
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        parts.append(self.detail)
        return ": ".join(parts).replace("\n", " ")


Kind = Literal["ingest", "course_export", "registry"]


@dataclass
class BrokenEntry:
    """An entry (or, kind ``registry``, the file) that does not validate.

    ``key`` completes its DAG id (``ingest__<key>`` or ``course_export__<key>``) and is
    always valid in one.
    """

    label: str  # the source's name, or "#<index>" when it has no usable name
    key: str
    kind: Kind
    problems: list[Problem]

    @property
    def message(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Registry:
    path: Path
    sources: dict[str, Source] = field(default_factory=dict)
    broken: list[BrokenEntry] = field(default_factory=list)
    fatal: bool = False  # nothing in the file could be read

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.broken for p in b.problems]

    @property
    def errors(self) -> dict[str, str]:
        """Message per broken entry, keyed by its label (``(registry)`` for the file)."""
        return {b.label: b.message for b in self.broken}

    def ingest_sources(self) -> list[Source]:
        return [s for s in self.sources.values() if s.transport is not Transport.COURSE_EXPORT]

    def export_sources(self) -> list[Source]:
        return [s for s in self.sources.values() if s.transport is Transport.COURSE_EXPORT]

    def landing(self, raw_tables: list[str] | tuple[str, ...]) -> Registry:
        """The registry cut to the sources that land any of ``raw_tables``."""
        wanted = set(raw_tables)
        return Registry(
            self.path,
            {n: s for n, s in self.sources.items() if wanted & set(s.raw_table_names())},
        )

    def __getitem__(self, name: str) -> Source:
        errors = self.errors
        if self.fatal:
            raise RegistryError(errors["(registry)"])
        if name in errors:
            raise RegistryError(errors[name])
        try:
            return self.sources[name]
        except KeyError:
            raise KeyError(f"{self.path}: no source named {shorten(name)}") from None


# ---------------------------------------------------------------------------------------------
# Reading the file


def load_registry(path: Path | str | None = None) -> Registry:
    """The registry at ``path`` (default :func:`registry_path`). Never raises for bad content:
    every problem is in :attr:`Registry.broken`; a file that cannot be read at all gives a
    registry with ``fatal`` set and one problem naming the file."""
    path = Path(path) if path else registry_path()
    try:
        raw, bad_line = _read(path)
    except RegistryError as exc:
        return _fatal(path, str(exc))
    registry = parse_registry(raw, path)
    if bad_line is not None:
        _report_undecodable(registry, bad_line)
    return registry


def _report_undecodable(registry: Registry, line: int) -> None:
    """Bytes that are not UTF-8 are blamed on the entries holding them; if none holds them
    (a comment, a key of the file) the file itself is reported, once."""
    if registry.fatal:
        registry.broken[0].problems[0] = Problem(
            registry.path, None, None, f"is not UTF-8 text (line {line}): save it as UTF-8"
        )
        return
    if any(_UNDECODABLE in p.detail for p in registry.problems):
        return
    problem = Problem(registry.path, None, None, f"line {line}: {_UNDECODABLE}")
    for broken in registry.broken:
        if broken.kind == "registry":
            broken.problems.append(problem)
            return
    registry.broken.append(BrokenEntry("(registry)", "broken__registry", "registry", [problem]))


def _fatal(path: Path, detail: str) -> Registry:
    problem = Problem(path, None, None, detail)
    return Registry(
        path,
        broken=[BrokenEntry("(registry)", "broken__registry", "registry", [problem])],
        fatal=True,
    )


def _read(path: Path) -> tuple[Any, int | None]:
    """The parsed file and the first line holding bytes that are not UTF-8 (or None)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RegistryError(f"is {size} bytes; a registry may hold at most {MAX_FILE_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"cannot read the source registry: {exc.strerror or exc}") from None
    bad_line = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Decode what can be; the entries holding the undecodable bytes are reported one by
        # one (they carry U+FFFD), and the others still load.
        bad_line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8", errors="replace")
    text = _UNREADABLE.sub(_REPLACEMENT, text)
    if not text.strip() or not any(
        line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise RegistryError("is empty: expected a mapping with a 'sources' list")
    try:
        return strict_yaml.load(text), bad_line
    except yaml.YAMLError as exc:
        if bad_line is not None:
            raise RegistryError(f"is not UTF-8 text (line {bad_line}): save it as UTF-8") from None
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise RegistryError(f"not valid YAML{where}: {shorten(problem, 200)}") from None
    except RecursionError:
        raise RegistryError("not valid YAML: nested too deeply") from None


# ---------------------------------------------------------------------------------------------
# Validation


def parse_registry(raw: Any, path: Path) -> Registry:
    if not isinstance(raw, dict):
        found = "nothing" if raw is None else _type_name(raw)
        return _fatal(path, f"the top level must be a mapping with a 'sources' list, found {found}")
    top: list[Problem] = []
    for key, detail in getattr(raw, "problems", ()):
        if key == "sources":
            return _fatal(path, "top level: field 'sources': defined twice (which list is meant?)")
        top.append(Problem(path, "top level", _key(key), detail))
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            top.append(
                Problem(
                    path,
                    "top level",
                    _key(key),
                    f"is not a known key{_suggest(key, TOP_LEVEL_KEYS)}",
                )
            )
    entries = raw.get("sources")
    if not isinstance(entries, list):
        found = "nothing" if entries is None else _type_name(entries)
        return _fatal(path, f"top level: field 'sources': must be a list of sources, found {found}")
    defaults, defaults_problems = _defaults(raw.get("defaults"), path)
    registry = Registry(path=path)
    if top or defaults_problems:
        registry.broken.append(
            BrokenEntry("(registry)", "broken__registry", "registry", top + defaults_problems)
        )
    _validate_entries(registry, entries, defaults)
    return registry


def _validate_entries(registry: Registry, entries: list, defaults: dict) -> None:
    path = registry.path
    first_index: dict[str, int] = {}  # raw name -> first entry that used it
    dag_ids: dict[str, str] = {}  # DAG id -> the source that has it
    raw_tables: dict[str, str] = {}  # raw table -> the source that lands it
    pending: list[tuple[int, Any, list[Problem]]] = []
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        usable = name_problem(name) is None
        where = f"source '{name}'" if usable else f"entry #{index}"
        if not isinstance(entry, dict):
            problem = Problem(path, where, None, f"must be a mapping, found {_type_name(entry)}")
            pending.append((index, entry, [problem]))
            continue
        problems = list(_hazards(path, where, entry))
        if usable and name in first_index:
            problems.append(
                Problem(path, where, "name", f"already used by entry #{first_index[name]}")
            )
        if usable:
            first_index.setdefault(name, index)
        if not problems:
            source, problems = _validate(path, where, {**defaults, **entry})
        if not problems:
            problems = _cross_source_problems(path, where, source, dag_ids, raw_tables)
        if problems:
            pending.append((index, entry, problems))
            continue
        registry.sources[source.name] = source
        dag_ids[source.dag_id] = source.name
        raw_tables.update({t: source.name for t in source.raw_table_names()})
    labels, taken = set(registry.sources), set(dag_ids)
    for index, entry, problems in pending:
        shown = problems[:MAX_PROBLEMS_PER_ENTRY]
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            shown.append(Problem(path, shown[-1].where, None, f"... and {more} more problem(s)"))
        registry.broken.append(_broken(index, entry, shown, taken, labels))


def _validate(path: Path, where: str, data: dict) -> tuple[Source | None, list[Problem]]:
    try:
        return Source.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    problems = []
    for err in errors:
        loc = ".".join(str(p) for p in err["loc"]) or None
        cause = err.get("ctx", {}).get("error")
        if loc is None and isinstance(cause, FieldError):
            loc = cause.field
        kind = err["type"]
        if kind == "missing":
            detail = "is required"
        elif kind == "extra_forbidden":
            detail = "is not a known setting"
            if len(err["loc"]) == 1:
                detail += _suggest(err["loc"][0], tuple(Source.model_fields))
        elif kind == "value_error" and loc == "name":
            detail = err["msg"].removeprefix("Value error, ")
            if err["input"] is not None:
                detail = f"{shorten(err['input'])}: {detail}"
        elif kind == "value_error":
            detail = cut(err["msg"].removeprefix("Value error, "), 300)
        else:
            detail = f"{shorten(err['input'])}: {cut(err['msg'], 300)}"
        problems.append(Problem(path, where, _field_text(loc), detail))
    return None, problems


def _cross_source_problems(
    path: Path, where: str, source: Source, dag_ids: dict[str, str], raw_tables: dict[str, str]
) -> list[Problem]:
    """Rules across entries; the earlier entry keeps its DAG, the later one is reported."""
    problems = []
    known = _loaders(source.transport is Transport.COURSE_EXPORT)
    if source.local.loader not in known:
        problems.append(
            Problem(
                path,
                where,
                "local.loader",
                f"{shorten(source.local.loader)} is not a known loader "
                f"(known: {', '.join(sorted(known))})",
            )
        )
    if source.dag_id in dag_ids:
        problems.append(
            Problem(
                path,
                where,
                "system" if source.transport is Transport.COURSE_EXPORT else "name",
                f"its DAG id {source.dag_id} is already the DAG of source "
                f"'{dag_ids[source.dag_id]}'",
            )
        )
    for table in source.raw_table_names():
        if table in raw_tables:
            problems.append(
                Problem(
                    path,
                    where,
                    "tables",
                    f"raw table '{table}' is already landed by source '{raw_tables[table]}' "
                    "(two DAGs would emit the same Asset)",
                )
            )
    return problems


@cache
def _loaders(course_export: bool) -> frozenset[str]:
    from ol_platform.ingest.loaders import COURSE_EXPORTERS, LOADERS

    return frozenset(COURSE_EXPORTERS if course_export else LOADERS)


def _broken(
    index: int, entry: Any, problems: list[Problem], taken: set[str], labels: set[str]
) -> BrokenEntry:
    """A broken entry with a DAG id that is valid and unused, whatever the entry holds, and a
    label (its name, or ``#<index>`` when the name is unusable or already another's)."""
    data = entry if isinstance(entry, dict) else {}
    name = data.get("name")
    label = name if name_problem(name) is None and name not in labels else f"#{index}"
    labels.add(label)
    if data.get("transport") == Transport.COURSE_EXPORT.value:
        kind: Kind = "course_export"
        system = data.get("system")
        preferred = f"course_export__{system}" if name_problem(system) is None else None
    else:
        kind = "ingest"
        preferred = f"ingest__{name}" if name_problem(name) is None else None
    prefix = "course_export__" if kind == "course_export" else "ingest__"
    key = f"broken__entry_{index}"
    if preferred and preferred not in taken:
        key = preferred.removeprefix(prefix)
    taken.add(prefix + key)
    return BrokenEntry(label, key, kind, problems)


def _defaults(raw: Any, path: Path) -> tuple[dict, list[Problem]]:
    """The defaults every entry starts from. Each problem is reported once, here, and the
    offending key dropped (so entries are not blamed for it one by one)."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [Problem(path, "defaults", None, f"must be a mapping, found {_type_name(raw)}")]
    problems = list(_hazards(path, "defaults", raw))
    bad = {p.field.split(".")[0] for p in problems if p.field}
    fields = Source.model_fields
    settable = tuple(f for f in fields if f != "name")
    defaults = {}
    for key, value in raw.items():
        if key in bad:
            continue
        if key not in fields or key == "name":
            problems.append(
                Problem(
                    path,
                    "defaults",
                    _key(key),
                    f"is not a setting a default can give{_suggest(key, settable)}",
                )
            )
            continue
        try:
            _field_adapter(key).validate_python(value)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            problems.append(
                Problem(path, "defaults", key, f"{shorten(value)}: {cut(err['msg'], 300)}")
            )
            continue
        defaults[key] = value
    return defaults, problems


@cache
def _field_adapter(name: str) -> TypeAdapter:
    from typing import Annotated

    info = Source.model_fields[name]
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(annotation)


# ---------------------------------------------------------------------------------------------
# What the YAML loader flagged instead of building


def _hazards(path: Path, where: str, value: Any, loc: str = "") -> Iterator[Problem]:
    """Refused values, duplicate keys and undecodable text anywhere under ``value``."""
    stack = [(loc, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, Refused):
            yield Problem(path, where, here or None, item.reason)
        elif isinstance(item, str):
            # Escapes ("\0") can produce what the reader refuses; a database would too.
            if _REPLACEMENT in item or _UNREADABLE.search(item):
                yield Problem(path, where, here or None, _UNDECODABLE)
        elif isinstance(item, dict):
            for key, detail in getattr(item, "problems", ()):
                yield Problem(path, where, _join(here, _key(key)), detail)
            for key, child in reversed(list(item.items())):
                if isinstance(key, str) and _REPLACEMENT in key:
                    yield Problem(path, where, _join(here, _key(key)), _UNDECODABLE)
                    continue
                stack.append((_join(here, _key(key)), child))
        elif isinstance(item, list) and len(item) > MAX_LIST_ITEMS:
            yield Problem(
                path, where, here or None, f"holds {len(item)} items; at most {MAX_LIST_ITEMS}"
            )
        elif isinstance(item, list):
            stack.extend(
                (_join(here, str(i)), child) for i, child in reversed(list(enumerate(item)))
            )


def _join(parent: str, child: str) -> str:
    return f"{parent}.{child}" if parent else child


def _key(key: Any) -> str:
    """A key as a field name in a message: itself when short text, else shortened."""
    if isinstance(key, str) and len(key) <= 60 and key.isprintable() and "'" not in key:
        return key
    return shorten(key, 60)


def _field_text(loc: str | None) -> str | None:
    return None if loc is None else _key(loc) if len(loc) > 60 else loc


def _suggest(key: Any, known: tuple[str, ...]) -> str:
    if not isinstance(key, str) or len(key) > 60:
        return f" (known: {', '.join(known)})"
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"


def _type_name(value: Any) -> str:
    """``a mapping``, ``an int``: what was found, for a message."""
    if isinstance(value, dict):
        name = "mapping"
    else:
        name = {list: "list", str: "string", Refused: "refused value"}.get(
            type(value), type(value).__name__
        )
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
