"""Backfill windows: which past interval a run loads, and which sources can load one.

A scheduled or manual run loads what is new since the lake's cursor. A run that is part of an
Airflow backfill (run type ``backfill``) loads its data interval instead, and only from a
source whose registry entry says ``backfill: {mode: window}``: its loader selects files or
rows by a date the interval bounds. Every other source reads the current state of its system,
so a past interval means nothing there and the run is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ol_platform.sources.models import BackfillMode, Source

BACKFILL_RUN_TYPE = "backfill"


class SnapshotBackfillError(ValueError):
    """A backfill of a source that has no notion of a past window."""


@dataclass(frozen=True)
class Window:
    """A half-open interval ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                object.__setattr__(self, name, value.replace(tzinfo=UTC))
        if self.end <= self.start:
            raise ValueError(f"empty window: {self.start.isoformat()} .. {self.end.isoformat()}")

    def __contains__(self, moment: datetime) -> bool:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def backfill_mode(source: Source) -> BackfillMode:
    """The registry's mode; snapshot when absent (a window is honoured only where declared)."""
    return source.backfill.mode if source.backfill else BackfillMode.SNAPSHOT


def snapshot_refusal(source: Source) -> str:
    """Why a snapshot source cannot be backfilled, and what to do instead."""
    why = source.backfill.by if source.backfill and source.backfill.by else "no data window"
    return (
        f"source '{source.name}' cannot be backfilled: it is a snapshot source ({why}), so a "
        f"run loads the current state whatever its data interval. Instead trigger a normal run "
        f"(`airflow dags trigger {source.dag_id}`, or the UI's Trigger button)"
        + (
            ", or reset and resync its Airbyte connection(s) in production "
            f"({', '.join(source.airbyte.connections)})"
            if source.airbyte
            else ""
        )
        + "."
    )


def backfill_window(source: Source, context: Mapping[str, Any]) -> Window | None:
    """The data interval to load when the run is part of a backfill, else None.

    Raises :class:`SnapshotBackfillError` for a backfill run of a snapshot source: loading the
    current state under a past interval would report a backfill that did not happen.
    """
    run_type = getattr(context.get("dag_run"), "run_type", None)
    # The task SDK's DagRunType is a plain str enum: compare its value, not str() of it.
    if getattr(run_type, "value", run_type) != BACKFILL_RUN_TYPE:
        return None
    if backfill_mode(source) is not BackfillMode.WINDOW:
        raise SnapshotBackfillError(snapshot_refusal(source))
    return Window(context["data_interval_start"], context["data_interval_end"])
