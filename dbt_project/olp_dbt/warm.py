"""A warm dbt: one process that has imported dbt forks a child per ``dbt`` command.

Every dbt command pays a fixed start-up before it touches a model: importing dbt and its
adapter, and building dbt's artifact classes (about 2 s of CPU on a small machine, three times
that under load). A local Airflow runs dozens of short dbt builds (each ingest DAG's staging,
each transform run and its docs), and that start-up is a large part of their cost. The server
pays it once; each command is a ``fork()`` of it, which runs dbt's own command line
(``dbt.cli.main``) with the caller's arguments, working directory, environment and standard
streams (passed over the socket), so its output, exit status and files are those of a plain
``dbt`` run.

    olp-dbt-server /path/to/dbt.sock        # serve until SIGTERM
    OLP_DBT_SERVER=/path/to/dbt.sock olp-dbt build ...   # the client: ``olp_dbt.warm_client``

Before it serves, the server also runs one ``dbt build`` of a one-model project of its own on
an in-memory DuckDB (``warm_up``): dbt builds much of its machinery on first use (the
serializers of its artifact classes, their JSON schemas), about 1 s of a command's CPU, and a
fork inherits what was built. Nothing else is shared: every command parses its own project
(partially, from its ``partial_parse.msgpack``) and opens its own connections and catalog, as
a plain run does. If the client goes away (its task was killed), its command is killed too.
Two things differ from a plain run, in how its artifacts are written, not in what they hold:
they are encoded in C (``encode_artifacts_in_c``), and a build's ``manifest.json`` is written
once, as it ends, not also after the parse (``write_the_manifest_once``).

    olp-dbt-server --no-warm-up /path/to/dbt.sock   # imports only (the benchmarks' baseline)
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shlex
import signal
import socket
import struct
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

# The header: its length, then JSON {"argv", "cwd", "env"}; the client's stdin, stdout and
# stderr travel with the length as ancillary data (SCM_RIGHTS).
LENGTH = struct.Struct("!I")
STATUS = struct.Struct("!i")
MAX_HEADER = 16 * 1024 * 1024


def preload() -> None:
    """Import dbt, the DuckDB adapter and the lake plugin (pyarrow, pyiceberg), so a forked
    child starts with them.

    pyarrow's allocator (jemalloc) starts a background thread at import unless told not to; a
    fork copies only the calling thread, and a lock that thread held would stay held in the
    child, so it is told not to (``serve`` still refuses to fork with a second thread). The
    lake plugin reads the catalog's environment variables when a command opens the catalog,
    not at import, so its import can be shared."""
    os.environ.setdefault("JE_ARROW_MALLOC_CONF", "background_thread:false")
    # numpy's OpenBLAS starts a pool of threads at import unless given one; nothing here
    # multiplies matrices. DuckDB imports numpy when the lake plugin adds its function.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import dbt.adapters.duckdb  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import dbt.contracts.graph.manifest  # noqa: F401
    import dbt.parser.manifest  # noqa: F401
    import dbt.task.build  # noqa: F401
    import numpy  # noqa: F401
    import pyiceberg.io.pyarrow  # noqa: F401  (imported by the first table scan otherwise)
    import rich.console  # noqa: F401  (pyiceberg's schema check on every append, otherwise)
    import rich.table  # noqa: F401
    import sqlalchemy.dialects.sqlite  # noqa: F401  (the local catalog's first connection)

    import olp_dbt.lake_plugin  # noqa: F401

    encode_artifacts_in_c()
    write_the_manifest_once()


def encode_artifacts_in_c() -> None:
    """dbt writes its artifacts (the manifest, 7 MB here, twice per command; the run results)
    with ``json.dump``, which encodes in Python and writes a million small pieces: the standard
    library's C encoder serves only ``json.dumps``. dbt's encoder class is made to encode in C
    and hand ``json.dump`` one piece; the file's bytes are the same (about 0.2 s less per
    manifest written)."""
    from dbt_common.utils.encoding import JSONEncoder

    def iterencode(self: json.JSONEncoder, o: object, _one_shot: bool = False) -> list[str]:
        return ["".join(json.JSONEncoder.iterencode(self, o, _one_shot=True))]

    JSONEncoder.iterencode = iterencode  # type: ignore[method-assign]


# The commands whose task writes manifest.json again as it ends (dbt's GraphRunnableTask.run).
WRITE_MANIFEST_AT_END = frozenset({"build", "run", "test", "seed", "snapshot", "compile"})
# The manifest such a command has parsed and not written yet, with its target path.
_unwritten: list[tuple[object, str]] = []


def write_the_manifest_once() -> None:
    """A ``dbt build`` writes ``manifest.json`` twice: when it has parsed the project, and
    again as it ends (with the compiled SQL of what it ran). Each write serializes every node
    of the project (about 0.5 s here) and the second replaces the first. For the commands
    that end with that write, the first is left out; if such a command stops before its end
    (an exception, Ctrl-C), ``run_command`` writes the parsed manifest then. Either way the
    command leaves the file a plain dbt run leaves."""
    import dbt.cli.requires as requires
    import dbt.task.runnable as runnable
    from dbt.flags import get_flags

    parse_manifest = requires.parse_manifest
    write_manifest = runnable.write_manifest

    def parse_once(runtime_config, write_perf_info, write, write_json, active_integrations):
        if not (write and write_json and get_flags().WHICH in WRITE_MANIFEST_AT_END):
            return parse_manifest(
                runtime_config, write_perf_info, write, write_json, active_integrations
            )
        manifest = parse_manifest(
            runtime_config, write_perf_info, False, write_json, active_integrations
        )
        _unwritten.append((manifest, runtime_config.project_target_path))
        return manifest

    def write_at_end(manifest, target_path, which=None):
        _unwritten.clear()
        return write_manifest(manifest, target_path, which)

    requires.parse_manifest = parse_once
    runnable.write_manifest = write_at_end


def write_unwritten_manifest() -> None:
    """The parsed manifest of a command that stopped before writing it (see
    ``write_the_manifest_once``)."""
    from dbt.parser.manifest import write_manifest

    while _unwritten:
        manifest, target_path = _unwritten.pop()
        write_manifest(manifest, target_path)


# The warm-up's project: a model, its tests, on a DuckDB in memory with no worker threads.
WARM_UP_PROJECT = {
    "dbt_project.yml": "name: olp_warm_up\nversion: '1.0'\nprofile: olp_warm_up\n",
    "profiles.yml": (
        "olp_warm_up:\n  target: memory\n  outputs:\n    memory:\n      type: duckdb\n"
        "      path: ':memory:'\n      threads: 1\n      settings: {threads: 1}\n"
    ),
    "models/one.sql": "select 1 as id\n",
    "models/one.yml": (
        "models:\n  - name: one\n    columns:\n      - name: id\n"
        "        data_tests: [not_null, unique]\n"
    ),
}


def warm_up() -> None:
    """Run one ``dbt build`` of ``WARM_UP_PROJECT`` in this process, then close its database.

    dbt supports several invocations in one process (each resets its adapters, flags and
    loggers), so a command forked after it starts as it would, with dbt's lazily built parts
    ready. What would leave a thread behind is avoided: dbt's static SQL parser (a Rust thread
    pool that a forked child could not use) is off for it, and the DuckDB database is closed.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    # dbt reads its flags from DBT_* variables too (DBT_TARGET, DBT_SELECT...): the server's
    # own are for its commands, not for the warm-up.
    saved = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("DBT_")]}
    try:
        result = _build_warm_up_project()
    finally:
        os.environ.update(saved)
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
    if not result.success:
        raise RuntimeError(f"the warm-up build failed: {result.exception}")


def _build_warm_up_project() -> dbtRunnerResult:
    from dbt.cli.main import dbtRunner

    with tempfile.TemporaryDirectory(prefix="olp-dbt-warm-up-") as tmp:
        root = Path(tmp)
        for name, text in WARM_UP_PROJECT.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        return dbtRunner().invoke(
            ["build", "--project-dir", tmp, "--profiles-dir", tmp, "--profile", "olp_warm_up",
             "--target", "memory", "--target-path",
             str(root / "target"), "--log-path", str(root / "logs"), "--quiet",
             "--no-static-parser", "--no-send-anonymous-usage-stats", "--no-version-check"]
        )  # fmt: skip


def _threads() -> int:
    """Threads of this process as the kernel counts them (native ones included)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, LENGTH.size, 3)
    if len(data) < LENGTH.size or len(fds) != 3:
        raise ConnectionError("a client sent no header or not its three standard streams")
    (length,) = LENGTH.unpack(data)
    if length > MAX_HEADER:
        raise ConnectionError(f"a client's header of {length} bytes is over {MAX_HEADER}")
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            raise ConnectionError("a client closed its connection mid-header")
        body += chunk
    return json.loads(body), fds


def _die_with_client(conn: socket.socket) -> None:
    """The client sends nothing after its header: the connection's end means it is gone."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    os.kill(os.getpid(), signal.SIGKILL)


def run_command(conn: socket.socket) -> None:
    """In the forked child: become the client's ``dbt`` process, run it, report, exit."""
    code = 1
    try:
        request, fds = _receive(conn)
        # To the server's log (this is still its standard output): which command each fork ran.
        print(f"pid {os.getpid()}: dbt {shlex.join(request['argv'])}", flush=True)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["dbt", *request["argv"]]
        threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
        from dbt.cli.main import cli

        try:
            cli.main(args=request["argv"], prog_name="dbt")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001  (report any failure as the command's)
        traceback.print_exc()
    finally:
        try:
            write_unwritten_manifest()
        except Exception:  # noqa: BLE001  (the command's own outcome stands)
            traceback.print_exc()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream: nothing to flush
                stream.flush()
        # What a plain dbt process does as it exits (multiprocessing releases its semaphores);
        # not sys.exit, which would unwind into the server's loop in this forked copy.
        atexit._run_exitfuncs()
        with contextlib.suppress(OSError):  # the client is gone: nobody to tell
            conn.sendall(STATUS.pack(code))
        os._exit(code)


def serve(path: str, warm: bool = True) -> None:
    preload()
    if warm:
        warm_up()
    _unwritten.clear()  # the warm-up's, if it failed before its end: not a command's
    # Every object so far is shared with the forks: the collector of a fork leaves them alone
    # rather than touching (and so copying) their pages.
    gc.collect()
    gc.freeze()
    if _threads() != 1:
        # fork() copies one thread: a lock another thread held would stay held in the child.
        raise RuntimeError(f"{_threads()} threads running after dbt's imports; cannot fork")
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)  # only this user's processes may run dbt through it
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the commands
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"warm dbt serving on {path} (pid {os.getpid()})", flush=True)
    try:
        while True:
            conn, _ = server.accept()
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                run_command(conn)
            conn.close()
    finally:
        server.close()
        if os.path.exists(path):
            os.unlink(path)


def main() -> None:
    args = sys.argv[1:]
    warm = "--no-warm-up" not in args
    args = [a for a in args if a != "--no-warm-up"]
    if len(args) != 1:
        sys.exit("usage: olp-dbt-server [--no-warm-up] SOCKET_PATH")
    serve(args[0], warm=warm)


if __name__ == "__main__":
    main()
