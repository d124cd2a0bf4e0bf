"""While the demo waits it says what runs, what finished and how many rows landed."""

from __future__ import annotations

import httpx

from ol_platform.cli.progress import RunProgress, Steps


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordedAPI:
    """The calls RunProgress makes, answering what the Airflow REST API answered."""

    def __init__(self) -> None:
        self.dag_runs: dict[str, list[dict]] = {}
        self.results: dict[tuple[str, str, str], dict] = {}
        self.task_states: dict[str, int] = {}  # task instance state -> how many
        self.failing: list[dict] = []  # task instances up for retry or failed
        self.succeeded: list[dict] = []  # task instances that succeeded

    def count_task_instances(self, state: list[str]) -> int:
        return sum(self.task_states.get(s, 0) for s in state)

    def all_task_instances(self, state: list[str], task_id: str | None = None) -> list[dict]:
        return [
            ti
            for ti in self.failing + self.succeeded
            if ti["state"] in state and task_id in (None, ti["task_id"])
        ]

    def runs(self, dag_id: str) -> list[dict]:
        return self.dag_runs.get(dag_id, [])

    def runs_of(self, dag_ids: list[str]) -> dict[str, list[dict]]:
        return {dag_id: self.runs(dag_id) for dag_id in dag_ids}

    def xcom(self, dag_id: str, run_id: str, task_id: str):
        if (dag_id, run_id, task_id) not in self.results:  # as AirflowAPI does on a 404
            request = httpx.Request("GET", f"http://airflow/api/v2/dags/{dag_id}/...")
            raise httpx.HTTPStatusError(
                "404", request=request, response=httpx.Response(404, request=request)
            )
        return self.results[(dag_id, run_id, task_id)]


def _run(run_id: str, state: str, run_type: str = "scheduled") -> dict:
    return {"dag_run_id": run_id, "state": state, "run_type": run_type}


def test_each_state_change_is_printed_once_with_the_rows_an_ingest_run_landed():
    clock, lines, api = Clock(), [], RecordedAPI()
    progress = RunProgress(api, Steps(out=lines.append, clock=clock))
    progress.track(["ingest__a", "transform"])

    api.dag_runs["ingest__a"] = [_run("r1", "running")]
    progress.poll()
    assert lines[0].endswith("ingest__a                          running  scheduled")
    assert lines[1].endswith(
        "runs: 0 queued, 1 running, 0 success, 0 failed; "
        "tasks: 0 waiting, 0 running, 0 deferred, 0 done, 0 failed, 0 retrying; 0 rows landed"
    )

    lines.clear()
    progress.poll()  # nothing changed, within the heartbeat: silent
    assert lines == []

    clock.now += 75
    api.dag_runs["ingest__a"] = [_run("r1", "success")]
    api.results[("ingest__a", "r1", "extract_load")] = {"raw__a__x": 1200, "raw__a__y": 34}
    api.dag_runs["transform"] = [_run("t1", "queued", "asset_triggered")]
    progress.poll()
    assert (
        lines[0]
        == "[ 1m15s] ingest__a                          success  1,234 rows into 2 raw table(s)"
    )
    assert lines[1].endswith("transform                          queued   asset_triggered")
    assert lines[2].endswith(
        "runs: 1 queued, 0 running, 1 success, 0 failed; "
        "tasks: 0 waiting, 0 running, 0 deferred, 0 done, 0 failed, 0 retrying; 1,234 rows landed"
    )


def test_a_quiet_wait_still_prints_a_tally_every_heartbeat_and_polls_at_its_interval():
    clock, lines, api = Clock(), [], RecordedAPI()
    progress = RunProgress(api, Steps(out=lines.append, clock=clock), interval=10, heartbeat=60)
    progress.track(["transform"])
    api.dag_runs["transform"] = [_run("t1", "running")]
    progress.tick()
    assert len(lines) == 2
    clock.now += 5
    progress.tick()  # before the interval: the API is not asked
    clock.now += 30
    progress.tick()  # asked, nothing new, before the heartbeat
    assert len(lines) == 2
    clock.now += 30
    progress.tick()
    assert len(lines) == 3 and "1 running" in lines[-1]


def test_a_successful_ingest_run_without_a_load_result_is_reported_without_rows():
    lines, api = [], RecordedAPI()
    progress = RunProgress(api, Steps(out=lines.append, clock=Clock()))
    progress.track(["ingest__airbyte_source"])
    api.dag_runs["ingest__airbyte_source"] = [_run("r1", "success")]
    progress.poll()
    assert lines[0].endswith("ingest__airbyte_source             success")
    assert lines[1].endswith("0 retrying; 0 rows landed")


def test_task_counts_and_each_failed_try_are_reported_as_they_happen_once_each():
    clock, lines, api = Clock(), [], RecordedAPI()
    progress = RunProgress(api, Steps(out=lines.append, clock=clock))
    progress.track(["transform"])
    api.dag_runs["transform"] = [_run("t1", "running", "asset_triggered")]
    api.task_states = {"queued": 2, "scheduled": 1, "running": 4, "deferred": 30, "success": 7}
    api.failing = [
        {
            "dag_id": "transform",
            "dag_run_id": "t1",
            "task_id": "dbt_producer",
            "try_number": 1,
            "state": "up_for_retry",
        },
    ]
    progress.poll()
    assert lines[1].endswith("transform.dbt_producer: try 1 failed (retrying)")
    assert "tasks: 3 waiting, 4 running, 30 deferred, 7 done, 0 failed, 0 retrying;" in lines[2]

    lines.clear()
    clock.now += 10
    api.failing.append(
        {
            "dag_id": "transform",
            "dag_run_id": "t1",
            "task_id": "mart.m",
            "try_number": 2,
            "state": "failed",
        }
    )
    progress.poll()  # the first failed try is not said twice; the new one is
    assert lines[0].endswith("transform.mart.m: try 2 failed (no retry left)")
    assert len(lines) == 1  # counts unchanged, within the heartbeat: no tally


def test_rows_count_as_landed_when_the_load_succeeds_not_when_the_run_ends():
    clock, lines, api = Clock(), [], RecordedAPI()
    progress = RunProgress(api, Steps(out=lines.append, clock=clock))
    progress.track(["ingest__a", "ingest__b"])
    api.dag_runs["ingest__a"] = [_run("r1", "running")]
    api.dag_runs["ingest__b"] = [_run("r1", "running")]
    api.succeeded = [
        {"dag_id": "ingest__a", "dag_run_id": "r1", "task_id": "extract_load", "state": "success"},
        # not a tracked DAG: not counted
        {"dag_id": "other", "dag_run_id": "r9", "task_id": "extract_load", "state": "success"},
    ]
    api.results[("ingest__a", "r1", "extract_load")] = {"raw__a__x": 1200, "raw__a__y": 34}
    api.results[("other", "r9", "extract_load")] = {"raw__o": 5}
    progress.poll()
    assert lines[-1].endswith("0 retrying; 1,234 rows landed")  # its run is still staging

    clock.now += 10
    api.dag_runs["ingest__a"] = [_run("r1", "success")]
    api.succeeded.append(
        {"dag_id": "ingest__b", "dag_run_id": "r1", "task_id": "extract_load", "state": "success"}
    )
    api.results[("ingest__b", "r1", "extract_load")] = {"raw__b": 6}
    progress.poll()
    assert lines[-2].endswith(
        "ingest__a                          success  1,234 rows into 2 raw table(s)"
    )
    assert lines[-1].endswith("0 retrying; 1,240 rows landed")  # each run's rows counted once
