"""The demo's summary lists every failed try, a retried one that later passed included."""

from __future__ import annotations

from ol_platform.cli.demo import Summary
from ol_platform.cli.failed_tries import FailedTry, collect_failed_tries, error_line

# What the task runner logs when a try raises (structured, as the logs endpoint returns it).
RAISED = [
    {"event": "::group::Pre Execute", "level": "info"},
    {"event": "Running dbt build", "level": "info"},
    {
        "event": "Task failed with exception",
        "level": "error",
        "error_detail": [
            {
                "exc_type": "CosmosDbtRunError",
                "exc_value": "dbt invocation completed with errors: stg__xpro__x: Catalog "
                "Error: Table with name raw__xpro__x does not exist!\nDid you mean y?",
                "frames": [],
            },
            {"exc_type": "RuntimeError", "exc_value": "the cause", "frames": []},
        ],
    },
    {"event": "on_failure_callback: alert sent", "level": "error"},
]


class RecordedAPI:
    """The calls collect_failed_tries makes, answered as the Airflow REST API answers them."""

    def __init__(self, task_instances: list[dict], tries: dict, logs: dict) -> None:
        self.task_instances, self._tries, self.logs = task_instances, tries, logs
        self.asked: list[tuple] = []

    def all_task_instances(self) -> list[dict]:
        return self.task_instances

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[dict]:
        self.asked.append((dag_id, run_id, task_id))
        return self._tries[(dag_id, run_id, task_id)]

    def task_log(self, dag_id, run_id, task_id, try_number, map_index=-1):
        return self.logs[(dag_id, run_id, task_id, try_number)]


def _ti(dag_id: str, task_id: str, state: str, try_number: int, run_id: str = "r1") -> dict:
    return {
        "dag_id": dag_id,
        "dag_run_id": run_id,
        "task_id": task_id,
        "map_index": -1,
        "state": state,
        "try_number": try_number,
    }


def test_the_error_line_is_the_raised_exception_first_line_not_a_later_callback_line():
    assert error_line(RAISED) == (
        "CosmosDbtRunError: dbt invocation completed with errors: stg__xpro__x: Catalog "
        "Error: Table with name raw__xpro__x does not exist!"
    )


def test_without_an_exception_the_last_error_line_then_the_last_line_says_why():
    trigger_log = [
        {"event": "dbt build of int__a (from dbt_producer)", "level": "info"},
        {"event": "int__a failed: int__a: error", "level": "error"},
        {"event": "trigger ended", "level": "info"},
    ]
    assert error_line(trigger_log) == "int__a failed: int__a: error"
    assert error_line(["plain text log", "killed by signal 9", ""]) == "killed by signal 9"
    assert error_line([]) == "(no log)"
    assert len(error_line([{"event": "x" * 1000, "level": "error"}])) == 300


def test_a_try_that_failed_then_passed_is_listed_with_its_error_and_a_clean_task_is_not_asked():
    api = RecordedAPI(
        task_instances=[
            _ti("ingest__a", "extract_load", "success", 1),  # passed first time
            _ti("transform", "dbt_producer", "success", 2),  # failed once, then passed
            _ti("transform", "mart.m", "failed", 1),  # failed, no retry left
            _ti("other_dag", "t", "failed", 1),  # not one of the demo's DAGs
        ],
        tries={
            ("transform", "r1", "dbt_producer"): [
                {"try_number": 1, "state": "failed"},
                {"try_number": 2, "state": "success"},
            ],
            ("transform", "r1", "mart.m"): [{"try_number": 1, "state": "failed"}],
        },
        logs={
            ("transform", "r1", "dbt_producer", 1): RAISED,
            ("transform", "r1", "mart.m", 1): [{"event": "m failed: m: error", "level": "error"}],
        },
    )
    tries = collect_failed_tries(api, {"ingest__a", "transform"})

    assert [(t.task_id, t.try_number, t.final_state) for t in tries] == [
        ("dbt_producer", 1, "success"),
        ("mart.m", 1, "failed"),
    ]
    assert tries[0].error.startswith("CosmosDbtRunError: dbt invocation completed with errors")
    assert ("ingest__a", "r1", "extract_load") not in api.asked
    assert all(dag != "other_dag" for dag, _, _ in api.asked)


def test_the_summary_says_success_but_lists_each_failed_try_with_its_error_line():
    summary = Summary(ui="http://127.0.0.1:8080", ok=True, wall_seconds=281)
    summary.failed_tries = [
        FailedTry(
            "transform", "asset_triggered__1", "dbt_producer", 1, "success", "Boom: x"
        ).as_dict(),
        FailedTry("transform", "asset_triggered__1", "mart.m", 2, "failed", "m: error").as_dict(),
    ]
    text = summary.render()

    assert (
        text.splitlines()[0] == "OL platform demo: SUCCESS (2 failed tries, listed below) in 281s"
    )
    section = text[text.index("Failed tries:") :].splitlines()
    assert section[0] == "Failed tries: 2 (1 passed on a later try, 1 did not)"
    assert section[1].split() == [
        "transform.dbt_producer",
        "try",
        "1",
        "(later",
        "passed)",
        "run",
        "asset_triggered__1",
    ]
    assert section[2].strip() == "Boom: x"
    assert "try 2 (now failed)" in section[3] and section[4].strip() == "m: error"


def test_a_summary_without_failed_tries_says_so():
    text = Summary(ui="u", ok=True, wall_seconds=200).render()
    assert text.splitlines()[0] == "OL platform demo: SUCCESS in 200s"
    assert "Failed tries: none (no task failed on any try)" in text


def test_a_failed_dbt_try_names_the_model_and_dbt_own_error_not_only_the_exit_code():
    dbt_output = (
        "\x1b[0m15:40:19  \x1b[31mFailure in model tfact_x (models/tfact_x.sql)\x1b[0m\n"
        "\x1b[0m15:40:19    Runtime Error in model tfact_x (models/dimensional/tfact_x.sql)\n"
        "  Catalog Error: Table with name int__y does not exist!\n"
        '  Did you mean "int__z"?\n'
    )
    log = [
        {"event": dbt_output, "level": "info"},
        {
            "event": "Task failed with exception",
            "level": "error",
            "error_detail": [
                {
                    "exc_type": "AirflowException",
                    "exc_value": "dbt command failed. The command returned a non-zero exit code 1.",
                }
            ],
        },
    ]
    assert error_line(log) == (
        "tfact_x: Catalog Error: Table with name int__y does not exist! "
        "(AirflowException: dbt command failed. The command returned a non-zero exit code 1.)"
    )
