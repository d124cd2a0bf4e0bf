"""YAML for a registry that a typo or a hostile edit must not be able to take down.

PyYAML's safe loader still resolves aliases (a "billion laughs" of nested aliases expands to
gigabytes), lets a duplicate key silently win, and aborts the whole file on an unhashable key
or an unknown tag. Here none of these abort the document or expand anything: each becomes a
:class:`Refused` value (or is recorded on its mapping as :attr:`Mapping.problems`) where it
stands, so validation can blame the one entry that holds it and load the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

# Far beyond any registry (a source nests four levels), low enough that nothing recurses deep.
MAX_DEPTH = 16


@dataclass(frozen=True)
class Refused:
    """A value the loader would not build; ``reason`` says why (never the value itself)."""

    reason: str


class Mapping(dict):
    """A YAML mapping that remembers what was wrong with its keys (duplicates, unhashable)."""

    problems: list[tuple[Any, str]]  # (the key, what is wrong with it)

    def __init__(self) -> None:
        super().__init__()
        self.problems = []


class StrictLoader(yaml.SafeLoader):
    depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            # Refuse instead of expanding: an alias bomb costs one node, not gigabytes.
            return ScalarNode("tag:olp:refused", f"YAML alias *{event.anchor}", event.start_mark)
        if self.depth >= MAX_DEPTH:
            return self._skip_node()
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _skip_node(self) -> ScalarNode:
        """Consume a too-deep node's events without building anything (iteratively)."""
        start = self.get_event()
        level = 1 if isinstance(start, yaml.CollectionStartEvent) else 0
        while level:
            event = self.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                level += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                level -= 1
        reason = f"nesting deeper than {MAX_DEPTH} levels"
        return ScalarNode("tag:olp:refused", reason, start.start_mark)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        if not isinstance(node, MappingNode):
            return Refused(f"expected a mapping, found {node.id}")
        mapping = Mapping()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<": only useful with aliases
                mapping.problems.append(("<<", "YAML merge keys are not allowed"))
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                mapping.problems.append(("(a key)", "a key must be a plain value"))
                continue
            if key in mapping:
                mapping.problems.append((key, "defined twice"))
                continue
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = Mapping()
        yield data
        value = self.construct_mapping(node)
        if isinstance(value, Refused):
            data.problems.append(("(mapping)", value.reason))
            return
        data.update(value)
        data.problems.extend(value.problems)

    def construct_yaml_int(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # e.g. more digits than Python converts
            return Refused("not a usable integer")

    def construct_undefined(self, node):  # type: ignore[override]
        return Refused(f"YAML tag {shorten(node.tag)} is not allowed")

    def construct_refused(self, node):
        if node.value.startswith("YAML alias"):
            return Refused(f"{node.value} is not allowed (write the value out)")
        return Refused(f"{node.value} is not allowed")


StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_yaml_map)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor("tag:olp:refused", StrictLoader.construct_refused)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)
# Python-only tags (and sets, ordered maps) are not registry values: refuse them, do not build.
for _tag in ("set", "omap", "pairs", "binary"):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", StrictLoader.construct_undefined)


def load(text: str) -> Any:
    """Parse one YAML document; raises ``yaml.YAMLError`` only for what breaks the whole file."""
    loader = StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# How much of any value from the file a message may repeat.
ECHO_LIMIT = 80


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` itself, cut to ``limit`` characters with a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[{len(text) - limit} more characters]"


def shorten(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``repr`` of ``value``, cut to ``limit`` characters with a marker saying how much was cut.

    Containers are not walked: their size is named, not echoed, so no message can be larger
    than the limit whatever the input holds.
    """
    if isinstance(value, Refused):
        return f"<{value.reason}>"
    if isinstance(value, dict | list | tuple | set):
        return f"<a {type(value).__name__} of {len(value)} items>"
    try:
        text = repr(value) if isinstance(value, str | int | float | bool | None) else ""
    except ValueError:  # an int with more digits than Python prints
        text = ""
    return cut(text or f"<a {type(value).__name__}>", limit)
