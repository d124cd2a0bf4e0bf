"""Which models a transform run builds: those its triggering raw tables feed, whose inputs exist.

An asset-triggered run builds the models downstream of the raw tables whose events triggered
it (the events are in the run's context), not the whole project; a model any of whose raw
tables has never landed is left out, with the reason, instead of failing with "table does
not exist" (the first transform run of a fresh lake starts when the first source lands). A
manual run builds every model whose inputs exist; a run whose conf carries a dbt selector
(``olp backfill transform --select``) builds what that selector selects.

When the project is split into several transform DAGs, a model reading a model of another
DAG is built by the run its Asset event starts; if that model is due to be rebuilt there (a
raw table it reads landed since), the model waits for that run rather than being built twice,
once on stale input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Listing many missing tables in a reason helps nobody: the first few and a count.
_SHOWN = 3
STAGING = "staging"  # the layer the ingest DAGs build, before their raw tables' events


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


@dataclass(frozen=True)
class Changes:
    """What an asset-triggered run was triggered by: raw tables that landed, and models of
    other transform DAGs that were rebuilt."""

    raw: frozenset[str]
    models: frozenset[str] = frozenset()


def changes_of(graph: Any, events: Mapping[Any, Sequence[Any]] | None) -> Changes | None:
    """The run's triggering Asset events (``<namespace>.<table or model>``) as :class:`Changes`;
    None: no events (a manual run)."""
    if not events:
        return None
    names = {str(event.asset.name).rsplit(".", 1)[-1] for per in events.values() for event in per}
    models = names & {m.name for m in graph.models}
    return Changes(frozenset(names - models), frozenset(models))


def plan_run(
    graph: Any,
    models: Iterable[Any],
    *,
    changed: Changes | None,
    landed: Callable[[str], bool],
    built: Callable[[Any], bool] = lambda model: True,
    last_event: Callable[[str], datetime | None] = lambda name: None,
    conf_select: list[str] | None = None,
) -> RunPlan:
    """``landed(raw_table)``: the raw table exists; ``built(model)``: the model's table exists;
    ``last_event(name)``: for a model of another transform DAG, when its last rebuild read its
    inputs (from its latest Asset event); for a raw table upstream of one, its latest event's
    time (its last landing); None if unknown.

    A model is built when a raw table it reads through staging changed, or a model it reads
    was rebuilt (by this run, or by another transform DAG, whose event is in this run); when
    every raw table it reads has landed; and when every model it reads is either built in
    this run or already in the lake.

    A model that reads a model of another transform DAG which is due to be rebuilt (a raw
    table it reads landed after its last rebuild, whether or not that landing's event is in
    this run) waits for that rebuild: its Asset event starts the run that builds the model,
    once, on fresh inputs, instead of building it now and again then.
    """
    if conf_select:
        return RunPlan(selected=None)
    by_name = {m.name: m for m in graph.models}
    ordered = in_dbt_order(list(models), by_name)
    mine = {m.name for m in ordered}
    selected: list[str] = []
    reached: set[str] = set()  # changed, whether or not this run can build it
    waiting: set[str] = set()
    excluded: dict[str, str] = {}
    for model in ordered:
        tables = graph.upstream_source_tables([model.name])
        others = [p for p in model.parents if _of_another_dag(p, mine, by_name)]
        unchanged = changed is not None and not _reached(
            graph, model, changed, others, reached, mine
        )
        # A model of constants (it reads no raw table) is built by the first run that can.
        if unchanged and (tables or built(model)):
            excluded[model.name] = "none of the raw tables it reads changed in this run"
            continue
        reached.add(model.name)
        missing = [t for t in tables if not landed(t)]
        if missing:
            excluded[model.name] = f"its inputs have never landed: {_listing(missing)}"
            continue
        stale = [p for p in model.parents if p in waiting]
        if changed is not None:
            stale += [p for p in others if _due(graph, p, changed, last_event)]
        if stale:
            waiting.add(model.name)
            excluded[model.name] = (
                f"waits for {_listing(stale)}: raw tables they read landed since they were "
                "last built, and their rebuild's Asset events start the run that builds it"
            )
            continue
        absent = [
            p for p in model.parents if p not in selected and p in by_name and not built(by_name[p])
        ]
        if absent:
            excluded[model.name] = f"models it reads have never been built: {_listing(absent)}"
            continue
        selected.append(model.name)
    return RunPlan(selected=selected, excluded=excluded, tests=buildable_tests(graph, selected))


def _of_another_dag(name: str, mine: set[str], by_name: Mapping[str, Any]) -> bool:
    """A model above staging that another transform DAG builds."""
    model = by_name.get(name)
    return model is not None and name not in mine and model.layer != STAGING


def _reached(
    graph: Any, model: Any, changed: Changes, others: list[str], reached: set[str], mine: set[str]
) -> bool:
    """A raw table it reads (directly or through staging) changed, or a model it reads did:
    rebuilt by another transform DAG (an event of this run), or changed in this DAG."""
    if any(p in changed.models for p in others) or any(p in reached for p in model.parents):
        return True
    through_staging = [p for p in model.parents if p not in mine and p not in others]
    direct = {*model.source_tables, *graph.upstream_source_tables(through_staging)}
    return not direct.isdisjoint(changed.raw)


def _due(
    graph: Any, name: str, changed: Changes, last_event: Callable[[str], datetime | None]
) -> bool:
    """Another transform DAG will rebuild model ``name``: a raw table it reads landed after its
    last rebuild (that DAG is scheduled on the landing, directly or through the models it
    reads). Unknown times count as not due: the model reading it is then built now, and
    possibly again after that rebuild, but never left waiting for nothing."""
    if name in changed.models:
        return False
    last = last_event(name)
    if last is None:
        return False
    landings = (last_event(table) for table in graph.upstream_source_tables([name]))
    return any(landed is not None and landed > last for landed in landings)


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
