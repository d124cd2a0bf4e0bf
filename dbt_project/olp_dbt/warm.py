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

Only imports are shared: every command parses the project (partially, from its
``partial_parse.msgpack``) and opens its own connections and catalog, as a plain run does.
If the client goes away (its task was killed), its command is killed too.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shlex
import signal
import socket
import struct
import sys
import threading
import traceback

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
    import dbt.adapters.duckdb  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import dbt.contracts.graph.manifest  # noqa: F401
    import dbt.parser.manifest  # noqa: F401
    import dbt.task.build  # noqa: F401
    import pyiceberg.io.pyarrow  # noqa: F401  (imported by the first table scan otherwise)

    import olp_dbt.lake_plugin  # noqa: F401


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
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream: nothing to flush
                stream.flush()
        # What a plain dbt process does as it exits (multiprocessing releases its semaphores);
        # not sys.exit, which would unwind into the server's loop in this forked copy.
        atexit._run_exitfuncs()
        with contextlib.suppress(OSError):  # the client is gone: nobody to tell
            conn.sendall(STATUS.pack(code))
        os._exit(code)


def serve(path: str) -> None:
    preload()
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
    if len(sys.argv) != 2:
        sys.exit("usage: olp-dbt-server SOCKET_PATH")
    serve(sys.argv[1])


if __name__ == "__main__":
    main()
