"""``olp-dbt``: ``dbt``, run by the warm dbt server when ``OLP_DBT_SERVER`` names one.

Without the variable, or when nothing answers on its socket (the server is not running), it
becomes plain ``dbt`` (``exec``), so it is always safe to call. Standard library only
(``olp_dbt.warm`` imports dbt only in the server): it starts in milliseconds. See
:mod:`olp_dbt.warm`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

from olp_dbt.warm import LENGTH, STATUS  # the protocol, defined once (no dbt import there)


def _plain_dbt(argv: list[str]) -> None:
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    os.execv(dbt, [dbt, *argv])


def main() -> None:
    argv = sys.argv[1:]
    path = os.environ.get("OLP_DBT_SERVER")
    if not path:
        _plain_dbt(argv)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        _plain_dbt(argv)
    # Killed (the task timed out or was stopped): closing the socket kills the command.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: os._exit(128 + signum))
    header = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(conn, [LENGTH.pack(len(header))], [0, 1, 2])
    conn.sendall(header)
    status = b""
    while len(status) < STATUS.size:
        chunk = conn.recv(STATUS.size - len(status))
        if not chunk:
            print("olp-dbt: the warm dbt server's command ended without a status", file=sys.stderr)
            sys.exit(1)
        status += chunk
    sys.exit(STATUS.unpack(status)[0])


if __name__ == "__main__":
    main()
