"""Which models a transform run builds: those its triggering raw tables feed, whose inputs exist.

An asset-triggered run builds the models downstream of the raw tables whose events triggered
it (the events are in the run's context), not the whole project; a model any of whose raw
tables has never landed is left out, with the reason, instead of failing with "table does
not exist" (the first transform run of a fresh lake starts when the first source lands). A
manual run builds every model whose inputs exist; a run whose conf carries a dbt selector
(``olp backfill transform --select``) builds what that selector selects.

One plan, and one ``dbt build``, cover the whole transform, also when its model tasks are
spread over several DAGs: each model is built once per run, after the models it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Listing many missing tables in a reason helps nobody: the first few and a count.
_SHOWN = 3


@dataclass(frozen=True)
class RunPlan:
    selected: list[str] | None  # model names to build; None: the conf's dbt selector decides
    excluded: dict[str, str] = field(default_factory=dict)  # model name -> why it is not built
    tests: dict[str, list[str]] | None = None  # model name -> the tests that run with it

    def as_xcom(self) -> dict[str, Any]:
        return {"selected": self.selected, "excluded": self.excluded, "tests": self.tests}

    def restricted_to(self, names: set[str]) -> RunPlan:
        """The same plan for only ``names`` of its selected models."""
        if self.selected is None:
            return self
        selected = [m for m in self.selected if m in names]
        tests = None if self.tests is None else {m: self.tests.get(m, []) for m in selected}
        return RunPlan(selected, dict(self.excluded), tests)


def buildable_tests(graph: Any, selected: Iterable[str]) -> dict[str, list[str]]:
    """The tests dbt runs with each selected model under ``--indirect-selection buildable``:
    those every model of which is selected or upstream of a selected one. A test that also
    reads a model this run leaves out (say, a dimension not yet built) waits for a run that
    builds it."""
    by_name = {m.name: m for m in graph.models}
    chosen = set(selected)
    available = set(chosen)
    todo = list(chosen)
    while todo:  # every model upstream of the selection
        for parent in by_name[todo.pop()].parents:
            if parent in by_name and parent not in available:
                available.add(parent)
                todo.append(parent)
    return {
        name: [
            t
            for t in by_name[name].tests
            if all(p.split(".")[-1] in available for p in graph.test_parents.get(t, ()))
        ]
        for name in sorted(chosen)
    }


def changed_raw_tables(events: Mapping[Any, Sequence[Any]] | None) -> frozenset[str] | None:
    """Raw table names of the triggering Asset events (``<namespace>.<table>``); None: no events
    (a manual run)."""
    if not events:
        return None
    names = {str(event.asset.name).rsplit(".", 1)[-1] for per in events.values() for event in per}
    return frozenset(names)


def plan_run(
    graph: Any,
    models: Iterable[Any],
    *,
    changed: frozenset[str] | None,
    landed: Callable[[str], bool],
    built: Callable[[Any], bool] = lambda model: True,
    conf_select: list[str] | None = None,
) -> RunPlan:
    """``landed(raw_table)``: the raw table exists; ``built(model)``: the model's table exists.

    A model is built when a raw table it reads (directly or through the models it reads)
    changed, every such raw table has landed, and every model it reads is either built in
    this run or already in the lake.
    """
    if conf_select:
        return RunPlan(selected=None)
    by_name = {m.name: m for m in graph.models}
    selected: list[str] = []
    excluded: dict[str, str] = {}
    for model in in_dbt_order(list(models), by_name):
        tables = graph.upstream_source_tables([model.name])
        # A model of constants (it reads no raw table) is built by the first run that can.
        unchanged = changed is not None and changed.isdisjoint(tables)
        if unchanged and (tables or built(model)):
            excluded[model.name] = "none of the raw tables it reads changed in this run"
            continue
        missing = [t for t in tables if not landed(t)]
        if missing:
            excluded[model.name] = f"its inputs have never landed: {_listing(missing)}"
            continue
        absent = [
            p for p in model.parents if p not in selected and p in by_name and not built(by_name[p])
        ]
        if absent:
            excluded[model.name] = f"models it reads have never been built: {_listing(absent)}"
            continue
        selected.append(model.name)
    return RunPlan(selected=selected, excluded=excluded, tests=buildable_tests(graph, selected))


def _listing(names: Sequence[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def in_dbt_order(models: list[Any], by_name: Mapping[str, Any]) -> list[Any]:
    """``models`` with every model after the models it reads (a depth-first walk)."""
    wanted = {m.name for m in models}
    ordered: list[Any] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for parent in by_name[name].parents:
            if parent in wanted:
                visit(parent)
        ordered.append(by_name[name])

    for model in models:
        visit(model.name)
    return ordered
