"""``airflow api-server`` whose audit-log write does not block its event loop.

Airflow 3.3 writes an audit-log row for every API call that changes something (pausing a DAG,
triggering a run, clearing a task) from an ``async`` FastAPI dependency that commits a
*synchronous* SQLAlchemy session: the commit runs on the server's event loop. On SQLite, the
local default, that commit waits for the database's single write lock, up to its busy timeout
(60 s here), and the loop stops serving meanwhile. The lock's holder is often another request
of the same server: a task's Execution API call whose endpoint has written and returned, and
whose session is committed by a dependency teardown that the event loop must schedule. Neither
can proceed until the timeout: for a minute every writer in the deployment waits, the
scheduler's own write fails with ``database is locked``, and the scheduler exits. The demo hit
this when it unpaused and triggered its ingest DAGs while their first tasks were starting.

- ``offload_audit_log_commit``: the audit-log dependency commits in a worker thread, as every
  synchronous endpoint's session does; the row and its contents are Airflow's own;
- ``main`` applies it and runs ``airflow api-server`` with the given arguments
  (``python -m ol_platform.orchestration.api_server [args]``). It must run before Airflow
  imports its routes, which bind the dependency when they are defined, and it reaches every
  request only with one server process (``[api] workers = 1``, the embedded Airflow's setting):
  uvicorn's worker processes import the app afresh.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependency's parameter types
# from its signature, and they are imported inside the patch (Airflow loads only when it runs).
from typing import Any

from ol_platform.orchestration.airflow_command import run

_PATCHED = "_olp_commits_off_the_loop"


class _CommitLater:
    """The session as the audit-log dependency sees it: everything but ``commit``, which is
    recorded and left for the caller to run off the event loop."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.commit_requested = False

    def commit(self) -> None:
        self.commit_requested = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def offload_audit_log_commit() -> None:
    """Make ``action_logging`` commit in a worker thread (idempotent)."""
    from airflow.api_fastapi.logging import decorators

    original = decorators.action_logging
    if getattr(original, _PATCHED, False):
        return

    from airflow.api_fastapi.common.db.common import SessionDep
    from airflow.api_fastapi.core_api.security import GetUserDep
    from fastapi import Request
    from starlette.concurrency import run_in_threadpool

    def action_logging(event: str | None = None):
        log_row = original(event)

        async def log_action(request: Request, session: SessionDep, user: GetUserDep):
            deferred = _CommitLater(session)
            await log_row(request, deferred, user)
            if deferred.commit_requested:
                await run_in_threadpool(session.commit)

        return log_action

    setattr(action_logging, _PATCHED, True)
    decorators.action_logging = action_logging


def main(argv: list[str] | None = None) -> None:
    offload_audit_log_commit()
    run("api-server", argv)


if __name__ == "__main__":
    main()
