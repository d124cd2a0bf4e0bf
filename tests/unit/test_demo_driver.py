"""The demo driver starts the ingest DAGs together and pauses each as soon as its run ends."""

from __future__ import annotations

import pytest

from ol_platform.cli import demo
from ol_platform.cli.demo import pause_when_settled, settle, start_dags


class FakeScheduler:
    """The REST calls the driver makes, against a scheduler that moves on at each look."""

    def __init__(self, runs_after: dict[str, list[list[str]]]) -> None:
        # dag_id -> the run states it shows at each successive look (the last one repeats).
        self.script = runs_after
        self.looks: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []
        self.base_url = "http://airflow"

    def runs(self, dag_id: str) -> list[dict]:
        states = self.script[dag_id]
        at = self.looks.get(dag_id, 0)
        self.looks[dag_id] = at + 1
        return [
            {"dag_run_id": f"{dag_id}-{i}", "state": s}
            for i, s in enumerate(states[min(at, len(states) - 1)])
        ]

    def runs_of(self, dag_ids: list[str]) -> dict[str, list[dict]]:
        return {dag_id: self.runs(dag_id) for dag_id in dag_ids}

    def check(self) -> None:
        """Airflow is alive: no stop signal, no dead component."""

    def get(self, path: str) -> dict:
        return {"next_dagrun_run_after": self.next_run[path.rsplit("/", 1)[-1]]}

    def unpause(self, dag_id: str) -> None:
        self.calls.append(("unpause", dag_id))

    def pause(self, dag_id: str) -> None:
        self.calls.append(("pause", dag_id))

    def wait_until_settled(self, dag_id: str, on_poll=None) -> None:
        self.calls.append(("wait", dag_id))

    def trigger(self, dag_id: str) -> str:
        self.calls.append(("trigger", dag_id))
        return f"manual-{dag_id}"


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(demo.time, "sleep", lambda s: None)


def test_every_dag_is_unpaused_and_only_one_whose_interval_already_ran_is_triggered():
    api = FakeScheduler({"ingest__due": [[]], "ingest__ran": [["success"]]})
    api.next_run = {
        "ingest__due": "2020-01-01T00:00:00+00:00",  # due: the scheduler starts it
        "ingest__ran": "2999-01-01T00:00:00+00:00",  # ran this interval (a second demo)
    }
    start_dags(api, ["ingest__due", "ingest__ran"])
    assert api.calls == [
        ("unpause", "ingest__due"),
        ("unpause", "ingest__ran"),
        ("trigger", "ingest__ran"),
    ]


def test_a_dag_is_paused_as_soon_as_its_run_ends_not_after_the_slower_ones():
    api = FakeScheduler(
        {
            "ingest__slow": [["running"], ["running"], ["running"], ["success"]],
            "ingest__fast": [["running"], ["success"]],
        }
    )
    polls = []
    pause_when_settled(api, ["ingest__slow", "ingest__fast"], on_poll=lambda: polls.append(1))
    assert api.calls == [("pause", "ingest__fast"), ("pause", "ingest__slow")]
    assert len(polls) == 4


def test_a_dag_that_never_finishes_times_out_naming_it():
    api = FakeScheduler({"ingest__stuck": [["running"]], "ingest__ok": [["success"]]})
    with pytest.raises(TimeoutError, match="ingest__stuck did not finish"):
        pause_when_settled(api, ["ingest__stuck", "ingest__ok"], timeout=-1)
    assert api.calls == [("pause", "ingest__ok")]


def test_a_run_the_schedule_started_as_its_dag_was_paused_is_run_too():
    """The scheduler created a run in the moment the DAG was paused: a paused DAG would never
    start it, so the demo unpauses that DAG until the run ends, then waits downstream again."""
    api = FakeScheduler(
        {
            "ingest__late": [
                ["success"],  # ended: paused
                ["success", "queued"],  # the schedule's run, created as it was paused
                ["success", "running"],
                ["success", "success"],
            ],
            "ingest__ok": [["success"]],
        }
    )
    said = []
    settle(api, ["ingest__late", "ingest__ok"], ("transform",), said.append)
    assert api.calls == [
        ("pause", "ingest__late"),
        ("pause", "ingest__ok"),
        ("wait", "transform"),
        ("unpause", "ingest__late"),
        ("pause", "ingest__late"),
        ("wait", "transform"),
    ]
    assert any("ingest__late: its schedule started a run" in s for s in said)
