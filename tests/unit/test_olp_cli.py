"""`olp --help` and every subcommand's help are complete, and `olp up` says how to log in."""

from __future__ import annotations

import argparse

from ol_platform.cli.main import build_parser
from ol_platform.cli.up import login_hint


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_has_a_description_documented_options_and_an_example():
    parser = build_parser()
    assert "examples" in parser.format_help()
    subcommands = _subcommands(parser)
    assert {"demo", "up", "airflow", "seed", "dbt", "dbt-sources", "sources"} <= set(subcommands)
    for name, sub in subcommands.items():
        assert sub.description and len(sub.description) > 40, name
        assert "example:\n  uv run olp " in sub.format_help(), name
        for action in sub._actions:
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_olp_airflow_is_olp_up():
    args = build_parser().parse_args(["airflow", "--port", "8080"])
    assert args.func.__name__ == "_up" and args.port == 8080


def test_login_hint_follows_the_auth_settings_airflow_was_started_with():
    assert login_hint({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"}).startswith(
        "no login"
    )
    hint = login_hint(
        {"AIRFLOW_HOME": "/s/airflow", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "ops:admin"}
    )
    assert hint == (
        "user ops; the password is in /s/airflow/simple_auth_manager_passwords.json.generated"
    )


def test_a_record_of_a_running_airflow_counts_only_while_its_processes_live(settings):
    import json
    import os

    import psutil

    from ol_platform.cli.embedded_airflow import running_record

    path = settings.home / "airflow" / "running.json"
    path.parent.mkdir(parents=True)
    me = os.getpid()
    record = {"pid": me, "url": "http://127.0.0.1:1", "groups": {"scheduler": me}}
    path.write_text(json.dumps({**record, "started": {str(me): psutil.Process().create_time()}}))
    assert running_record(settings)["url"] == "http://127.0.0.1:1"
    # The same pid, reused by a later process: not the Airflow the record names.
    path.write_text(json.dumps({**record, "started": {str(me): 1.0}}))
    assert running_record(settings) is None
