"""The image runs the platform: built for real (buildah, debootstrapped Debian base), then
Airflow's components, the DAGs and dbt are run inside it against a real PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.image.conftest import REPO, free_port
from tests.image.container import Container, image_config, missing_commands, stop

pytestmark = [pytest.mark.image, pytest.mark.postgres, pytest.mark.timeout(3600)]

# Where a component may write with the chart's read-only root filesystem (its emptyDirs).
WRITABLE = ["/tmp", "/opt/airflow/logs", "/var/lib/olp", "/home/airflow/.cache"]
# What `buildah run` itself writes into the container for each command.
BUILDAH_RUN_FILES = ["/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/run"]
DBT = "/opt/olp/dbt_project/.venv/bin/dbt"


def ok(done) -> str:
    assert done.returncode == 0, (
        f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def json_output(stdout: str):
    """The JSON an `airflow ... -o json` command printed after its log lines."""
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("[", "{")):
            try:
                return json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
    raise AssertionError(f"no JSON in the output:\n{stdout[-3000:]}")


@pytest.fixture(scope="module")
def migrated(container: Container) -> Container:
    ok(container.run(["bash", "-c", "touch /tmp/.smoke-start"]))
    ok(container.run(["db", "migrate"], timeout=600))
    return container


def test_image_config_follows_the_chart_contract(image: str) -> None:
    config = image_config(image)
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"] == "50000"
    assert config["Entrypoint"] == ["/usr/bin/tini", "--", "/opt/olp/bin/entrypoint"]
    assert config["Healthcheck"]["Test"] == ["CMD", "/opt/olp/bin/healthcheck"]
    assert env["PATH"].startswith("/opt/olp/.venv/bin:")
    assert env["AIRFLOW_HOME"] == "/opt/airflow"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/olp/dags"
    assert env["OLP_HOME"] == "/var/lib/olp"
    assert env["OLP_ENV"] == "production"
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", labels["org.opencontainers.image.revision"])


def test_entrypoint_runs_airflow_subcommands_and_execs_anything_else(container: Container) -> None:
    assert ok(container.run(["version"])).strip().splitlines()[-1] == "3.3.2"
    who = ok(container.run(["bash", "-c", 'echo "$(id -u):$(id -g) $HOME $(command -v airflow)"']))
    assert who.split() == ["50000:0", "/home/airflow", "/opt/olp/.venv/bin/airflow"]
    assert "olp" in ok(container.run(["olp", "--help"]))


def test_entrypoint_routes_every_airflow_subcommand(container: Container) -> None:
    """The entrypoint's static list of Airflow subcommands matches the installed Airflow."""
    listed = ok(
        container.run(
            [
                "python",
                "-c",
                "import argparse; from airflow.cli import cli_parser; "
                "p = cli_parser.get_parser(); "
                "print(' '.join(sorted(next(a for a in p._actions "
                "if isinstance(a, argparse._SubParsersAction)).choices)))",
            ]
        )
    ).split()
    script = (REPO / "docker" / "entrypoint.sh").read_text()
    routed = re.search(r"AIRFLOW_COMMANDS=\(([^)]*)\)", script).group(1).split()
    assert sorted(routed) == listed


def chart_commands() -> tuple[list[list[str]], set[str]]:
    """What the Helm chart's containers run, rendered for every values file of the chart tests:
    argument vectors after the image's entrypoint (container args, and ``airflow ...`` exec
    probes), and the programs the other exec probes start."""
    import subprocess
    import sys

    from tests.helm.render import MATRIX, container_commands, render

    out = subprocess.run(
        [sys.executable, str(REPO / "tools" / "install_helm.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    helm = Path(out.stdout.strip().splitlines()[-1])
    argvs: set[tuple[str, ...]] = set()
    programs: set[str] = set()
    for files, values in MATRIX.values():
        for entry in container_commands(render(files, values, helm)):
            if entry["command"]:  # the entrypoint is replaced: its program must exist
                programs.add(entry["command"][0])
            elif entry["args"]:
                argvs.add(tuple(entry["args"]))
            for probe in entry["exec_probes"]:
                if probe[0] == "airflow":
                    argvs.add(tuple(probe[1:]))
                else:
                    programs.add(probe[0])
                    if probe[:2] == ["sh", "-c"]:  # `exec <program> ...`
                        programs.add(probe[2].removeprefix("exec ").split()[0])
    return [list(a) for a in sorted(argvs)], programs


def test_every_command_the_chart_runs_exists_in_the_image(container: Container) -> None:
    argvs, programs = chart_commands()
    scheduler = ["python", "-m", "ol_platform.orchestration.scheduler"]
    assert scheduler in argvs and ["db", "migrate"] in argvs  # the chart was rendered
    assert missing_commands(container, argvs) == {}
    found = ok(container.run(["bash", "-c", "command -v " + " ".join(sorted(programs))]))
    assert len(found.split()) == len(programs), (programs, found)


def test_missing_commands_reports_what_does_not_resolve(container: Container) -> None:
    failures = missing_commands(
        container, [["scheduler", "--no-such-flag"], ["no-such-binary"], ["jobs", "check"]]
    )
    assert set(failures) == {"scheduler --no-such-flag", "no-such-binary"}
    assert "--no-such-flag" in failures["scheduler --no-such-flag"]


def test_final_stage_has_no_build_tools_caches_or_local_stand_ins(container: Container) -> None:
    script = (
        "for c in uv pip gcc cc make; do command -v $c; done; "
        "ls -d /root/.cache /home/airflow/.cache/uv /opt/uv "
        "/opt/olp/plugins/ol_platform/samples /opt/olp/plugins/ol_platform/simulators "
        "/opt/olp/tests 2>/dev/null; true"
    )
    assert ok(container.run(["bash", "-c", script])).split() == []
    compiled = ok(
        container.run(
            [
                "bash",
                "-c",
                "ls /opt/olp/plugins/ol_platform/__pycache__/settings.cpython-311.pyc "
                "/opt/olp/dags/__pycache__/ingest.cpython-311.pyc; "
                "ls /opt/olp/.venv/lib/python3.11/site-packages/airflow/__pycache__ | wc -l",
            ]
        )
    )
    assert int(compiled.split()[-1]) > 5


def test_db_migrate_and_every_dag_file_parses_without_import_errors(migrated: Container) -> None:
    ok(migrated.run(["dags", "reserialize"], timeout=600))
    assert json_output(ok(migrated.run(["dags", "list-import-errors", "-o", "json"]))) == []
    dags = json_output(ok(migrated.run(["dags", "list", "-o", "json"])))
    files = {Path(d["fileloc"]).name for d in dags}
    assert files == {p.name for p in (REPO / "dags").glob("*.py")}


def test_api_server_and_scheduler_become_healthy(migrated: Container, tmp_path: Path) -> None:
    api_port, health_port = free_port(), free_port()
    env = {
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(health_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
    }
    logs = {name: (tmp_path / f"{name}.log").open("wb") for name in ("api", "scheduler")}
    api = migrated.start(["api-server", "--port", str(api_port)], env=env, log=logs["api"])
    # As the chart runs it: the platform's wrapper of `airflow scheduler`.
    scheduler = migrated.start(
        ["python", "-m", "ol_platform.orchestration.scheduler"], env=env, log=logs["scheduler"]
    )
    health: dict = {}
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert api.poll() is None, (tmp_path / "api.log").read_text()[-3000:]
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()[-3000:]
            try:
                health = httpx.get(
                    f"http://127.0.0.1:{api_port}/api/v2/monitor/health", timeout=5
                ).json()
            except httpx.HTTPError:
                health = {}
            if health.get("scheduler", {}).get("status") == "healthy":
                break
            time.sleep(2)
        assert health.get("metadatabase", {}).get("status") == "healthy", health
        assert health.get("scheduler", {}).get("status") == "healthy", health
        assert httpx.get(f"http://127.0.0.1:{health_port}/health", timeout=5).status_code == 200
        # The image's HEALTHCHECK script, told which component it is looking at.
        probe = "/opt/olp/bin/healthcheck"
        ok(migrated.run([probe, "api-server", "--port", str(api_port)], env=env))
        ok(migrated.run([probe, "scheduler"], env=env))
        assert migrated.run([probe, "api-server", "--port", str(free_port())]).returncode == 1
    finally:
        for process in (api, scheduler):
            stop(process)
        # The API server's worker leaves the process group: stop whatever is left inside.
        migrated.kill_processes()
        for log in logs.values():
            log.close()


def test_components_write_only_where_the_chart_mounts_writable_volumes(
    migrated: Container,
) -> None:
    """With a read-only root filesystem only the chart's emptyDirs are writable: nothing the
    migration, DAG parsing, the API server or the scheduler did wrote anywhere else."""
    prune = " -o ".join(f"-path {p}" for p in [*WRITABLE, *BUILDAH_RUN_FILES])
    script = f"find / -xdev \\( {prune} \\) -prune -o -newer /tmp/.smoke-start -print"
    assert ok(migrated.run(["bash", "-c", script], user="0:0")).split() == []


def test_dbt_environment_parses_the_project_and_ships_a_production_manifest(
    container: Container,
) -> None:
    assert "trino" in ok(container.run([DBT, "--version"]))
    ok(
        container.run(
            [
                DBT,
                "parse",
                "--project-dir",
                "/opt/olp/dbt_project",
                "--profiles-dir",
                "/opt/olp/dbt_project",
                "--target",
                "trino",
                "--target-path",
                "/tmp/dbt-target",
                "--log-path",
                "/tmp/dbt-logs",
            ],
            env={"DBT_TARGET": "trino"},
        )
    )
    manifest = json.loads(ok(container.run(["cat", "/opt/olp/dbt_project/target/manifest.json"])))
    assert manifest["metadata"]["adapter_type"] == "trino"
    schemas = {n["schema"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert schemas and all(s.startswith("ol_warehouse_production") for s in schemas)
