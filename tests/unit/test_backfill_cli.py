"""``olp backfill``: what a selection resolves to, what is refused and why, dry-run output,
progress, credentials that never reach the terminal, and dbt selectors checked first.

The remote cases run against a small Airflow stand-in over real HTTP that enforces a bearer
token as Airflow's API does (401 without it) and can fail like it (500, a hostile body that
echoes the credentials back)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from ol_platform.cli import backfill, backfill_progress
from ol_platform.cli.airflow_auth import AirflowAccessError, AuthedAirflowAPI, connect, mask
from ol_platform.cli.backfill import (
    BackfillRefused,
    Target,
    api_dates,
    check_semantics,
    parse_when,
    render_dry_run,
    resolve_targets,
)
from ol_platform.cli.backfill_progress import Display, Progress
from ol_platform.ingest.loaders import LOADERS, WINDOWED
from ol_platform.ingest.window import backfill_mode
from ol_platform.simulators.http import BackgroundServer, JSONHandler
from ol_platform.sources.models import BackfillMode
from ol_platform.sources.registry import load_registry
from ol_platform.transform.operators import DbtBuildOperator

TOKEN = "s3cr3t-token-value"
PASSWORD = "pa55word-value"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def fake_airflow(requests: list[tuple[str, str]], *, fail_with: int | None = None):
    """An Airflow API stand-in: bearer auth, a DAG, an Asset, backfills, DAG runs."""

    class Handler(JSONHandler):
        def _route(self, method: str) -> None:
            body = self.body()
            requests.append((method, self.path))
            if self.path_only == "/auth/token":
                creds = json.loads(body or b"{}")
                if creds.get("password") != PASSWORD:
                    return self.send_json(401, {"detail": "Invalid credentials"})
                return self.send_json(201, {"access_token": TOKEN})
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {TOKEN}":
                # A hostile server echoing what it was sent: the CLI must still not print it.
                return self.send_json(401, {"detail": f"Not authenticated: {auth}"})
            if fail_with:
                return self.send_json(fail_with, {"detail": "database is locked"})
            path = self.path_only.removeprefix("/api/v2")
            if path == "/dags/other_dag":
                return self.send_json(200, {"dag_id": "other_dag", "is_paused": False})
            if path.startswith("/dags/"):
                return self.send_json(404, {"detail": "DAG not found"})
            if path == "/assets":
                q = self.query
                asset = {
                    "name": "lake.some_table",
                    "uri": "iceberg://ol-lake/lake/some_table",
                    "producing_tasks": [{"dag_id": "producer_dag", "task_id": "t"}],
                }
                pattern = q.get("name_pattern") or q.get("uri_pattern") or ""
                hit = pattern in asset["name"] or pattern in asset["uri"]
                return self.send_json(200, {"assets": [asset] if hit else []})
            self.send_json(404, {"detail": "no route"})

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._route("PUT")

    return Handler


# ---- registry semantics ---------------------------------------------------------------------


def test_every_source_states_its_backfill_semantics(registry):
    for source in registry.sources.values():
        assert source.backfill is not None, f"{source.name}: no 'backfill' in the registry"
        assert source.backfill.by, f"{source.name}: 'backfill.by' says nothing"


def test_every_window_source_has_a_loader_that_takes_a_window(registry):
    window = [s for s in registry.sources.values() if backfill_mode(s) is BackfillMode.WINDOW]
    assert {s.name for s in window} == {"tracking_logs", "edxorg_archives", "odl_video"}
    for source in window:
        assert source.local.loader in WINDOWED and source.local.loader in LOADERS


def test_a_bad_backfill_mode_names_the_file_source_and_field(tmp_path):
    from ol_platform.sources.registry import parse_registry

    raw = {"sources": [{"name": "x", "backfill": {"mode": "windowed"}}]}
    message = parse_registry(raw, tmp_path / "sources.yaml").errors["x"]
    assert "sources.yaml: source 'x': field 'backfill.mode': 'windowed'" in message


# ---- selection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "selection",
    [
        "tracking_logs",
        "ingest__tracking_logs",
        "raw__xpro__openedx__tracking_logs",
        "ol_warehouse_production_raw.raw__xpro__openedx__tracking_logs",
    ],
)
def test_a_source_dag_id_raw_table_or_asset_name_selects_the_producing_dag(registry, selection):
    targets = resolve_targets(selection, registry)
    assert [t.dag_id for t in targets] == ["ingest__tracking_logs"]
    assert targets[0].source is registry["tracking_logs"]


def test_a_dbt_model_points_at_backfill_transform(registry):
    with pytest.raises(BackfillRefused, match=r"olp backfill transform --select dim_course_run"):
        resolve_targets("ol_warehouse_production_dimensional.dim_course_run", registry)


def test_unknown_names_are_asked_of_airflow_dag_ids_then_assets(registry):
    requests: list = []
    with BackgroundServer(fake_airflow(requests)) as server:
        api = AuthedAirflowAPI(server.url, token=TOKEN)
        assert [t.dag_id for t in resolve_targets("other_dag", registry, api)] == ["other_dag"]
        targets = resolve_targets("lake.some_table", registry, api)
        assert [(t.dag_id, t.source) for t in targets] == [("producer_dag", None)]
        with pytest.raises(BackfillRefused, match="not a DAG id, a registry source"):
            resolve_targets("nothing_by_that_name", registry, api)
    assert ("GET", "/api/v2/dags/other_dag") in requests


# ---- refusals -------------------------------------------------------------------------------


def test_an_app_database_is_refused_with_the_reason_and_a_resync(registry):
    source = registry["mitxonline_app"]
    with pytest.raises(BackfillRefused) as refused:
        check_semantics([Target(source.dag_id, source)])
    message = str(refused.value)
    assert "source 'mitxonline_app' cannot be backfilled: it is a snapshot source" in message
    assert "application database" in message  # the registry's reason
    assert "trigger a normal run" in message and "mitxonline_app_postgres" in message


def test_one_snapshot_source_refuses_the_whole_selection(registry):
    window, snapshot = registry["tracking_logs"], registry["mitpe"]
    with pytest.raises(BackfillRefused, match="'mitpe' cannot be backfilled"):
        check_semantics([Target(window.dag_id, window), Target(snapshot.dag_id, snapshot)])


def test_a_refused_backfill_exits_2_without_contacting_airflow(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("OLP_AIRFLOW_URL", "http://127.0.0.1:9")  # nothing listens there
    code = backfill.main(["mitxonline_app", "--from", "2024-11-24", "--to", "2024-11-26"])
    assert code == 2
    assert "refused: source 'mitxonline_app' cannot be backfilled" in capsys.readouterr().err


# ---- dates and dry-run output -----------------------------------------------------------------


def test_dates_are_whole_days_both_included():
    start = parse_when("2024-11-24", end=False)
    end = parse_when("2024-11-26", end=True)
    assert (start, end) == (datetime(2024, 11, 24, tzinfo=UTC), datetime(2024, 11, 27, tzinfo=UTC))
    assert api_dates(start, end) == (
        "2024-11-24T00:00:00+00:00",
        "2024-11-26T23:59:59.999999+00:00",
    )
    with pytest.raises(BackfillRefused, match="--to is before --from"):
        api_dates(end, start)


def test_dry_run_output_lists_each_logical_date_with_its_data_interval(registry):
    source = registry["tracking_logs"]
    dates = [datetime(2024, 11, 24, h, tzinfo=UTC) for h in (0, 12)]
    lines = render_dry_run(Target(source.dag_id, source, "source tracking_logs"), dates)
    assert lines[0].startswith("ingest__tracking_logs (source tracking_logs; window by log file")
    assert lines[0].endswith("2 run(s) would be created")
    assert lines[2:] == [
        "  2024-11-24 00:00   2024-11-24 00:00 -> 2024-11-24 12:00",
        "  2024-11-24 12:00   2024-11-24 12:00 -> 2024-11-25 00:00",
    ]


# ---- progress --------------------------------------------------------------------------------


def _progress(states: list[str], completed: bool = False) -> Progress:
    backfill_row = {"id": 7, "dag_id": "ingest__x", "completed_at": "x" if completed else None}
    return Progress(
        backfill_row, [{"state": s, "dag_run_id": f"r{i}"} for i, s in enumerate(states)]
    )


def test_progress_counts_runs_by_state_and_is_done_only_when_completed():
    running = _progress(["success", "running", "queued", "failed"])
    assert running.counts == {"queued": 1, "running": 1, "succeeded": 1, "failed": 1}
    assert "2/4" in running.line() and not running.done
    done = _progress(["success", "failed"], completed=True)
    assert done.done and [r["dag_run_id"] for r in done.failed] == ["r1"]
    assert done.line().endswith("done")


def test_without_a_terminal_progress_prints_one_line_per_change():
    out = io.StringIO()
    display = Display(out)
    for states in (["queued"] * 2, ["queued"] * 2, ["success", "running"], ["success"] * 2):
        display.show([_progress(states)])
    assert len(out.getvalue().splitlines()) == 3
    assert "\r" not in out.getvalue()


def test_on_a_terminal_progress_redraws_in_place():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    display = Display(out)
    display.show([_progress(["queued"]), _progress(["queued"])])
    display.show([_progress(["success"]), _progress(["queued"])])
    display.close()
    assert "\r\x1b[1A" in out.getvalue() and out.getvalue().count("\n") == 3


# ---- credentials -----------------------------------------------------------------------------


def test_password_is_exchanged_for_a_token_and_neither_is_printed(settings, capsys):
    requests: list = []
    with BackgroundServer(fake_airflow(requests, fail_with=500)) as server:
        code = backfill.main(
            ["status", "3", "--url", server.url, "--username", "admin", "--password", PASSWORD]
        )
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 500" in err and "database is locked" in err
    assert requests[0] == ("POST", "/auth/token")
    assert len([r for r in requests if r[0] == "GET"]) == 3  # 5xx retried, then reported
    assert TOKEN not in err and PASSWORD not in err


def test_a_refused_token_is_masked_even_when_the_server_echoes_it(capsys):
    requests: list = []
    with BackgroundServer(fake_airflow(requests)) as server:
        code = backfill.main(["cancel", "3", "--url", server.url, "--token", TOKEN + "-old"])
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 401" in err and "--token" in err
    assert TOKEN not in err and "Bearer ***" in err


def test_bad_credentials_say_so_without_the_password():
    with BackgroundServer(fake_airflow([])) as server, pytest.raises(AirflowAccessError) as refused:
        connect(SimpleNamespace(), url=server.url, username="admin", password="wrong-pw")
    assert "check the username and password" in str(refused.value)
    assert "wrong-pw" not in str(refused.value) and mask("wrong-pw") == "***"


def test_the_local_airflow_must_be_running(settings):
    with pytest.raises(AirflowAccessError, match="no local Airflow is running.*make demo-keep"):
        connect(settings)


def test_the_local_airflow_is_found_and_its_generated_password_used(settings):
    requests: list = []
    with BackgroundServer(fake_airflow(requests)) as server:
        (settings.home / "airflow").mkdir(parents=True)
        (settings.home / "airflow" / "api-server.url").write_text(server.url)
        passwords = settings.home / "airflow" / "simple_auth_manager_passwords.json.generated"
        passwords.write_text(json.dumps({"admin": PASSWORD}))
        api = connect(settings)
        assert api.call("GET", "/dags/other_dag")["dag_id"] == "other_dag"
    assert api.base_url == server.url and requests[0] == ("POST", "/auth/token")


# ---- transform --------------------------------------------------------------------------------


def test_an_unknown_model_is_refused_before_anything_is_triggered(capsys):
    requests: list = []
    with BackgroundServer(fake_airflow(requests)) as server:
        code = backfill.main(
            ["transform", "--select", "+dim_course_rn", "--url", server.url, "--token", TOKEN]
        )
    err = capsys.readouterr().err
    assert code == 2 and "unknown model 'dim_course_rn'" in err and "dim_course_run" in err
    assert "nothing was triggered" in err and requests == []


@pytest.mark.parametrize(
    "selector",
    ["+dim_course_run", "dim_course_run+ int__mitxonline__course_runs", "config.schema:mart"],
)
def test_known_selectors_pass(selector):
    from ol_platform.transform.selection import validate_selector

    assert validate_selector(selector) == selector.split()


def test_the_transform_task_takes_its_selection_from_the_run_conf():
    op = DbtBuildOperator(
        task_id="dbt_build", select=["config.schema:mart"], run_conf_selection=True
    )
    run = SimpleNamespace(conf={"select": "+dim_course_run stg__x", "full_refresh": True})
    assert op.conf_overrides({"dag_run": run}) == {
        "select": ["+dim_course_run", "stg__x"],
        "full_refresh": True,
    }
    cosmos = op.cosmos_operator(**op.conf_overrides({"dag_run": run}))
    assert cosmos.select == ["+dim_course_run", "stg__x"] and cosmos.full_refresh is True
    assert "--full-refresh" in cosmos.add_cmd_flags()
    stage = DbtBuildOperator(task_id="stage", select=["stg__x"])
    assert stage.conf_overrides({"dag_run": run}) == {}  # ingest staging ignores a run's conf


# ---- creation -------------------------------------------------------------------------------


def backfills_api(post_status: int, active: list[dict], posts: list[int]):
    """POST /backfills answers ``post_status``; GET /backfills lists ``active``."""

    class Handler(JSONHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.body()
            posts.append(1)
            self.send_json(post_status, {"detail": "database is locked"})

        def do_GET(self) -> None:  # noqa: N802
            self.send_json(200, {"backfills": active, "total_entries": len(active)})

    return Handler


BODY = {
    "dag_id": "ingest__tracking_logs",
    "from_date": "2024-11-24T00:00:00+00:00",
    "to_date": "2024-11-26T23:59:59.999999+00:00",
}


def test_a_backfill_created_despite_a_server_error_is_followed_not_created_twice():
    now = datetime.now(UTC).isoformat()
    ours = {**BODY, "id": 4, "created_at": now, "completed_at": None}
    posts: list = []
    out = io.StringIO()
    with BackgroundServer(backfills_api(503, [ours], posts)) as server:
        created = backfill.create_backfill(AuthedAirflowAPI(server.url), BODY, out)
    assert created["id"] == 4 and len(posts) == 1  # never POSTed again
    assert "created backfill 4; following it" in out.getvalue()


def test_a_backfill_running_elsewhere_is_named_with_how_to_follow_or_cancel_it():
    theirs = {
        **BODY,
        "from_date": "2024-10-01T00:00:00Z",
        "id": 9,
        "created_at": "2024-12-01T00:00:00Z",
        "completed_at": None,
    }
    server = BackgroundServer(backfills_api(409, [theirs], []))
    with server, pytest.raises(BackfillRefused) as refused:
        backfill.create_backfill(AuthedAirflowAPI(server.url), BODY, io.StringIO())
    assert "already has a running backfill (9)" in str(refused.value)
    assert "olp backfill status 9" in str(refused.value)
    assert "olp backfill cancel 9" in str(refused.value)


def one_backfill_api(states: list[str], completed: bool, failures: int = 0):
    """GET /backfills/5 and its DAG runs in ``states``; the first ``failures`` answers are 503."""
    answered: list[int] = []

    class Handler(JSONHandler):
        def do_GET(self) -> None:  # noqa: N802
            answered.append(1)
            if len(answered) <= failures:
                return self.send_json(503, {"detail": "Service Unavailable"})
            if self.path_only.endswith("/backfills/5"):
                return self.send_json(
                    200,
                    {
                        "id": 5,
                        "dag_id": "ingest__tracking_logs",
                        "from_date": "2024-11-24T00:00:00Z",
                        "to_date": "2024-11-24T23:59:59Z",
                        "created_at": "2024-12-01T00:00:00Z",
                        "completed_at": "2024-12-01T01:00:00Z" if completed else None,
                        "is_paused": False,
                    },
                )
            runs = [
                {
                    "dag_run_id": f"backfill__{i}",
                    "state": s,
                    "queued_at": "2024-12-01T00:00:01Z",
                    "data_interval_start": "2024-11-24T00:00:00Z",
                    "data_interval_end": "2024-11-24T12:00:00Z",
                }
                for i, s in enumerate(states)
            ]
            self.send_json(200, {"dag_runs": runs, "total_entries": len(runs)})

    return Handler


def test_ctrl_c_stops_waiting_and_says_how_to_cancel(monkeypatch):
    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(backfill_progress.time, "sleep", interrupted)
    out = io.StringIO()
    with BackgroundServer(one_backfill_api(["running", "queued"], completed=False)) as server:
        code = backfill_progress.follow(AuthedAirflowAPI(server.url), [5], out)
    assert code == 130
    assert "Stopped waiting; the backfill keeps running" in out.getvalue()
    assert "`olp backfill cancel 5`" in out.getvalue()


def test_a_failed_run_fails_the_command_and_is_named():
    out = io.StringIO()
    with BackgroundServer(one_backfill_api(["success", "failed"], completed=True)) as server:
        code = backfill_progress.follow(AuthedAirflowAPI(server.url), [5], out)
    assert code == 1
    assert "FAILED ingest__tracking_logs run backfill__1 (data interval 2024-11-24 00:00" in (
        out.getvalue()
    )
    assert "1 run(s) failed." in out.getvalue()


def test_waiting_outlasts_an_api_server_that_stops_answering_for_a_while():
    out = io.StringIO()
    api_server = BackgroundServer(one_backfill_api(["success"], completed=True, failures=4))
    with api_server:
        api = AuthedAirflowAPI(api_server.url, retry_delay=0.01)
        code = backfill_progress.follow(api, [5], out, poll=0.01)
    assert code == 0, out.getvalue()
    assert "HTTP 503" in out.getvalue() and "still waiting" in out.getvalue()
    assert "All 1 run(s) succeeded." in out.getvalue()


def test_a_refusal_that_created_nothing_is_retried_until_airflow_accepts(monkeypatch):
    """SQLite metadata: Airflow answers 503 "database is locked" while its scheduler writes."""
    monkeypatch.setattr(backfill.time, "sleep", lambda seconds: None)
    posts: list = []

    class Handler(JSONHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.body()
            posts.append(1)
            if len(posts) < 3:
                self.send_json(503, {"detail": "Database is locked."})
            else:
                self.send_json(200, {**BODY, "id": 7, "completed_at": None})

        def do_GET(self) -> None:  # noqa: N802
            self.send_json(200, {"backfills": [], "total_entries": 0})

    out = io.StringIO()
    with BackgroundServer(Handler) as server:
        created = backfill.create_backfill(AuthedAirflowAPI(server.url), BODY, out)
    assert created["id"] == 7 and len(posts) == 3
    assert out.getvalue().count("created no backfill") == 2
    posts.clear()
    refusing = BackgroundServer(backfills_api(503, [], posts))
    with refusing as server, pytest.raises(AirflowAccessError):
        backfill.create_backfill(AuthedAirflowAPI(server.url), BODY, io.StringIO())
    assert len(posts) == backfill.CREATE_ATTEMPTS  # bounded
