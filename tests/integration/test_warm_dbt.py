"""The warm dbt server and its client (``olp_dbt.warm``): a command run through it behaves as
plain ``dbt`` does (output, exit status, the caller's environment and working directory), a
killed caller takes its command with it, and without a server the client is plain dbt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from ol_platform.transform.project import DBT_BIN
from ol_platform.transform.warm_dbt import warm_dbt_server

pytestmark = pytest.mark.skipif(
    not (DBT_BIN / "olp-dbt-server").exists(),
    reason="the dbt environment (dbt_project/.venv) is not built: run `make build`",
)

MACROS = """
{% macro probe() %}
  {{ print("probe=" ~ env_var("OLP_PROBE", "unset")) }}
{% endmacro %}
{% macro count_events() %}
  {% set rows = run_query("select count(*) from probe_raw.events") %}
  {{ print("events=" ~ rows.columns[0].values()[0]) }}
{% endmacro %}
{% macro spin() %}
  {% do run_query("select count(*) from range(100000000000)") %}
{% endmacro %}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "probe"
    (root / "macros").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: probe\nversion: '1.0'\nprofile: probe\nmacro-paths: [macros]\n"
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent("""
        probe:
          target: dev
          outputs:
            dev: {type: duckdb, path: ":memory:", threads: 1}
        """)
    )
    (root / "macros" / "probe.sql").write_text(MACROS)
    return root


@pytest.fixture
def server(tmp_path: Path):
    """A warm dbt server, started without OLP_PROBE or a lake catalog in its environment, and
    with a dbt flag in it (``DBT_TARGET``, as the local Airflow sets) that names no target of
    the server's own warm-up project; yields (socket, log). It serves only if its warm-up
    left it one thread (``serve`` refuses to fork otherwise)."""
    sock, log = tmp_path / "dbt.sock", tmp_path / "server.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "OLP_PROBE" and not k.startswith("PYICEBERG_CATALOG__")
    }
    env["DBT_TARGET"] = "dev"
    with warm_dbt_server(sock, log, env=env):
        yield sock, log
    assert not sock.exists(), "the server left its socket behind"


def dbt(executable: str, project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DBT_BIN / executable), *args, "--project-dir", ".", "--profiles-dir", "."],
        cwd=project,  # relative paths: the command must run in the caller's directory
        env={**os.environ, "DO_NOT_TRACK": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_runs_in_the_server_with_the_callers_environment(project, server):
    sock, log = server
    warm = dbt(
        "olp-dbt", project, "run-operation", "probe", OLP_PROBE="42", OLP_DBT_SERVER=str(sock)
    )
    plain = dbt("dbt", project, "run-operation", "probe", OLP_PROBE="42")
    assert warm.returncode == plain.returncode == 0, warm.stdout + warm.stderr
    assert "probe=42" in warm.stdout and "probe=42" in plain.stdout
    assert "dbt run-operation probe --project-dir ." in log.read_text()  # a fork ran it


def test_a_command_reads_the_lake_its_caller_names(project, server, tmp_path):
    """The server imported the lake plugin and pyiceberg with no catalog in its environment;
    a command whose environment names a lake reads that lake's tables."""
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog

    sock, _ = server
    lake = tmp_path / "lake"
    lake.mkdir()
    uri, warehouse = f"sqlite:///{lake}/catalog.db", f"file://{lake}"
    catalog = SqlCatalog("olp", uri=uri, warehouse=warehouse)
    catalog.create_namespace("probe_raw")
    events = catalog.create_table("probe_raw.events", schema=pa.schema([("n", pa.int64())]))
    events.append(pa.table({"n": [1, 2, 3]}))
    (project / "profiles.yml").write_text(
        textwrap.dedent("""
        probe:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: ":memory:"
              threads: 1
              plugins:
                - {module: olp_dbt.lake_plugin, config: {namespace_prefix: probe_}}
        """)
    )
    lake_env = {
        "PYICEBERG_CATALOG__OLP__TYPE": "sql",
        "PYICEBERG_CATALOG__OLP__URI": uri,
        "PYICEBERG_CATALOG__OLP__WAREHOUSE": warehouse,
    }
    warm = dbt(
        "olp-dbt", project, "run-operation", "count_events", OLP_DBT_SERVER=str(sock), **lake_env
    )
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "events=3" in warm.stdout


def test_a_build_after_the_warm_up_writes_the_callers_database(project, server, tmp_path):
    """The server's warm-up built a model into a DuckDB of its own; a command's build goes to
    the database its own profile names, with its own model."""
    import duckdb

    sock, _ = server
    database = tmp_path / "probe.duckdb"
    (project / "profiles.yml").write_text(
        f"probe:\n  target: dev\n  outputs:\n    dev: {{type: duckdb, path: '{database}'}}\n"
    )
    (project / "models").mkdir()
    (project / "models" / "answer.sql").write_text("select 42 as n")
    warm = dbt("olp-dbt", project, "build", OLP_DBT_SERVER=str(sock))
    assert warm.returncode == 0, warm.stdout + warm.stderr
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.sql("select table_name from information_schema.tables").fetchall()
        assert tables == [("answer",)]
        assert con.sql("select n from answer").fetchall() == [(42,)]


ENCODE = """
import datetime, decimal, io, json
from dbt_common.utils.encoding import JSONEncoder
from olp_dbt.warm import encode_artifacts_in_c

class Counting(io.StringIO):
    writes = 0
    def write(self, s):
        self.writes += 1
        return super().write(s)

data = {"nodes": {"model.p.a": {"n": 1, "f": 0.1, "d": decimal.Decimal("2.5"), "ok": True,
        "at": datetime.datetime(2026, 1, 2, 3, 4, 5), "name": "é\\u2028", "none": None,
        "list": [1, "two", {"three": []}]}}}

def dump():
    out = Counting()
    json.dump(data, out, cls=JSONEncoder)
    return out.getvalue(), out.writes

before = dump()
encode_artifacts_in_c()
after = dump()
print(json.dumps({"same": before[0] == after[0], "writes": [before[1], after[1]],
                  "dumps_same": json.dumps(data, cls=JSONEncoder) == after[0]}))
"""


def test_the_server_writes_dbts_artifacts_in_one_piece_with_the_same_bytes():
    """dbt's artifacts (json.dump with dbt's encoder) are encoded in C in the server: one
    write, and the same text as dbt's own Python encoding, Decimals and dates included."""
    done = subprocess.run(
        [str(DBT_BIN / "python"), "-c", ENCODE], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["same"] and result["dumps_same"]
    before, after = result["writes"]
    assert before > 20 and after == 1


# A model that prints whether target/manifest.json exists while it runs (DuckDB reads the
# file system relative to the command's directory, the project's).
SEES_MANIFEST = """
{% if execute %}
  {% set found = run_query("select count(*) from glob('target/manifest.json')") %}
  {{ print("manifest during the run: " ~ found.columns[0].values()[0]) }}
{% endif %}
select 42 as n
"""


def _manifest_nodes(project: Path) -> dict[str, str | None]:
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    return {uid: node.get("compiled_code") for uid, node in manifest["nodes"].items()}


def test_a_build_writes_its_manifest_once_as_it_ends_and_the_same_as_plain_dbt(project, server):
    """Plain dbt writes manifest.json after its parse and again as it ends; through the server
    only the second is written, and it holds what plain dbt's holds."""
    import shutil

    sock, _ = server
    (project / "models").mkdir()
    (project / "models" / "answer.sql").write_text(SEES_MANIFEST)
    plain = dbt("dbt", project, "build")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "manifest during the run: 1" in plain.stdout
    expected = _manifest_nodes(project)
    shutil.rmtree(project / "target")

    warm = dbt("olp-dbt", project, "build", OLP_DBT_SERVER=str(sock))
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "manifest during the run: 0" in warm.stdout
    assert _manifest_nodes(project) == expected
    assert "select 42 as n" in expected["model.probe.answer"]


def test_a_build_that_stops_before_its_end_still_leaves_its_manifest(project, server):
    """A selector dbt cannot resolve ends the command after its parse, before its end-of-run
    write: the parsed manifest is written anyway, as plain dbt's first write leaves it."""
    import shutil

    sock, _ = server
    (project / "models").mkdir()
    (project / "models" / "answer.sql").write_text("select 42 as n")
    for executable, env in (("dbt", {}), ("olp-dbt", {"OLP_DBT_SERVER": str(sock)})):
        shutil.rmtree(project / "target", ignore_errors=True)
        done = dbt(executable, project, "build", "--select", "no_such_method:x", **env)
        assert done.returncode != 0, done.stdout
        assert "model.probe.answer" in _manifest_nodes(project), executable


def test_a_failing_command_fails_as_plain_dbt_does(project, server):
    sock, _ = server
    warm = dbt("olp-dbt", project, "run-operation", "no_such_macro", OLP_DBT_SERVER=str(sock))
    plain = dbt("dbt", project, "run-operation", "no_such_macro")
    assert plain.returncode != 0
    assert warm.returncode == plain.returncode
    assert "no_such_macro" in warm.stdout + warm.stderr


def test_without_a_server_the_client_is_plain_dbt(project, tmp_path):
    for env in ({}, {"OLP_DBT_SERVER": str(tmp_path / "nobody.sock")}):
        done = dbt("olp-dbt", project, "run-operation", "probe", OLP_PROBE="7", **env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "probe=7" in done.stdout


def test_a_killed_client_takes_its_command_with_it(project, server):
    sock, log = server
    client = subprocess.Popen(
        [
            str(DBT_BIN / "olp-dbt"),
            "run-operation",
            "spin",
            "--project-dir",
            ".",
            "--profiles-dir",
            ".",
        ],
        cwd=project,
        env={**os.environ, "DO_NOT_TRACK": "1", "OLP_DBT_SERVER": str(sock)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while "run-operation spin" not in log.read_text():
        assert time.monotonic() < deadline, "the command never reached the server"
        time.sleep(0.1)
    pid = int(log.read_text().split("run-operation spin")[0].rsplit("pid ", 1)[1].split(":")[0])
    assert psutil.pid_exists(pid)
    client.send_signal(signal.SIGTERM)
    assert client.wait(timeout=10) == 128 + signal.SIGTERM
    gone, alive = psutil.wait_procs([psutil.Process(pid)], timeout=10)
    assert not alive, f"command {pid} outlived its client"
