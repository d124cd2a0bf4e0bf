"""An Airbyte public API (v1) simulator over real HTTP, for the production ingest path.

It enforces the parts of the contract the platform relies on:

* ``POST /api/public/v1/applications/token`` exchanges client credentials (form body) for a
  bearer token; wrong credentials answer ``bad_credentials_status`` (401); every other route
  answers 401 without a valid, unexpired, unrevoked ``Authorization`` header.
* ``POST /api/public/v1/jobs`` starts a sync for a known connection (404 for an unknown one,
  409 while a job of that connection is still running), answering ``pending``.
* ``GET /api/public/v1/jobs?connectionId=&status=&jobType=&limit=&offset=`` lists jobs.
* ``GET /api/public/v1/jobs/{id}`` advances the job: ``running`` for ``polls_to_finish`` polls,
  then ``succeeded``, or ``failed`` for connections listed in ``failing``; a connection in
  ``hanging`` never finishes.
* ``DELETE /api/public/v1/jobs/{id}`` cancels a running job.
* ``POST /api/v1/jobs/get`` (the config API) gives a job's attempts and failure reasons.
* ``GET /api/public/v1/health`` answers 200 without credentials.

It fails as a real Airbyte does, set by constructor or per test (``state.add_fault`` or over
HTTP, ``POST /_simulator/faults`` with the same fields): tokens that expire after
``token_ttl`` seconds or ``token_max_uses`` uses (while still advertising ``expires_in``
180), revocation of every token (``revoke_tokens``, ``POST /_simulator/revoke``, or at the
``revoke_at_poll``-th poll of a job), and per route (``token``, ``list_jobs``, ``create_job``,
``get_job``, ``cancel_job``, ``config_job``) the next ``count`` answers replaced by a
``status`` (5xx, 429 with ``retry_after``), delayed by ``delay`` seconds (slow, or hung when
longer than the client's timeout) or ``drop``-ped (connection closed unanswered), optionally
``after`` the real work was done (a job started whose answer never arrived).

What happened is inspectable: ``state.jobs``, ``state.jobs_started`` (per connection, so a
test can assert that no second sync started), ``state.requests`` and
``GET /_simulator/state``.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from ol_platform.simulators.http import JSONHandler

PREFIX = "/api/public/v1"
CONFIG_JOBS_GET = "/api/v1/jobs/get"
CONTROL = "/_simulator"
TERMINAL = {"succeeded", "failed", "cancelled"}
ROUTES = ("token", "list_jobs", "create_job", "get_job", "cancel_job", "config_job")
ADVERTISED_EXPIRES_IN = 180


@dataclass
class Job:
    job_id: int
    connection_id: str
    status: str = "pending"
    polls: int = 0
    failure_reason: str | None = None
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def as_json(self) -> dict:
        body = {
            "jobId": self.job_id,
            "connectionId": self.connection_id,
            "jobType": "sync",
            "status": self.status,
            "startTime": self.started,
            "lastUpdatedAt": datetime.now(UTC).isoformat(),
        }
        if self.status == "succeeded":
            body.update(rowsSynced=1000, bytesSynced=250_000, duration="PT12S")
        return body

    def as_config_api_json(self) -> dict:
        """The config API's ``/api/v1/jobs/get`` answer: where Airbyte keeps failure reasons
        (the public API's job has none)."""
        failures = []
        if self.failure_reason:
            failures.append(
                {
                    "failureOrigin": "source",
                    "failureType": "config_error",
                    "externalMessage": self.failure_reason,
                    "internalMessage": "java.net.ConnectException: Connection refused",
                }
            )
        attempt = {"id": 0, "status": self.status, "failureSummary": {"failures": failures}}
        return {
            "job": {"id": self.job_id, "configType": "sync", "status": self.status},
            "attempts": [{"attempt": attempt}],
        }


@dataclass
class Fault:
    """How the next ``count`` requests of a route misbehave."""

    status: int = 503  # answered instead of the real answer; 0 keeps the real answer
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0  # seconds before answering: slow, or hung past the client's timeout
    after: bool = False  # do the real work (start, cancel...) before answering with the fault
    drop: bool = False  # close the connection without an answer (a reset, a crashed proxy)


@dataclass
class Token:
    issued: float
    uses: int = 0


@dataclass
class AirbyteState:
    client_id: str
    client_secret: str
    connections: set[str]
    failing: set[str] = field(default_factory=set)
    hanging: set[str] = field(default_factory=set)
    polls_to_finish: int = 2
    token_ttl: float | None = None
    token_max_uses: int | None = None
    revoke_at_poll: int | None = None
    bad_credentials_status: int = 401
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # every token ever issued
    jobs: dict[int, Job] = field(default_factory=dict)
    jobs_started: Counter = field(default_factory=Counter)
    requests: list[tuple[str, int]] = field(default_factory=list)
    polls: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add_fault(self, route: str, **fault: object) -> None:
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; one of {', '.join(ROUTES)}")
        with self.lock:
            self.faults.setdefault(route, []).append(Fault(**fault))  # type: ignore[arg-type]

    def take_fault(self, route: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(route) or []
            while queue and queue[0].count <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].count -= 1
            return queue[0]

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = Token(issued=time.monotonic())
            self.issued.append(token)
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None:
                return False
            expired = (
                self.token_ttl is not None and time.monotonic() - entry.issued > self.token_ttl
            ) or (self.token_max_uses is not None and entry.uses >= self.token_max_uses)
            if expired:
                del self.tokens[token]
                return False
            entry.uses += 1
            return True

    def running_job(self, connection_id: str) -> Job | None:
        return next(
            (
                j
                for j in self.jobs.values()
                if j.connection_id == connection_id and j.status not in TERMINAL
            ),
            None,
        )

    def cancelled(self, connection_id: str) -> list[int]:
        return [
            j.job_id
            for j in self.jobs.values()
            if j.connection_id == connection_id and j.status == "cancelled"
        ]

    def advance(self, job: Job) -> None:
        if job.status in TERMINAL:
            return
        job.polls += 1
        if job.connection_id in self.hanging or job.polls < self.polls_to_finish:
            job.status = "running"
        elif job.connection_id in self.failing:
            job.status = "failed"
            job.failure_reason = "Source connector: connection refused by the source database"
        else:
            job.status = "succeeded"

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "jobs": {i: j.as_json() for i, j in self.jobs.items()},
                "jobs_started": dict(self.jobs_started),
                "faults": {
                    r: [asdict(f) for f in q if f.count > 0] for r, q in self.faults.items()
                },
                "tokens": len(self.tokens),
            }


Answer = tuple[int, object, dict[str, str]]


def make_handler(state: AirbyteState) -> type[JSONHandler]:
    class Handler(JSONHandler):
        def _route(self, method: str) -> str | None:
            path = self.path_only
            if method == "POST" and path == f"{PREFIX}/applications/token":
                return "token"
            if path == f"{PREFIX}/jobs":
                return {"GET": "list_jobs", "POST": "create_job"}.get(method)
            if path.startswith(f"{PREFIX}/jobs/"):
                return {"GET": "get_job", "DELETE": "cancel_job"}.get(method)
            if method == "POST" and path == CONFIG_JOBS_GET:
                return "config_job"
            return None

        def _dispatch(self, method: str) -> None:
            body = self.body()
            if self.path_only.startswith(CONTROL):
                self._send(*self._control(method, body))
                return
            if method == "GET" and self.path_only == f"{PREFIX}/health":
                self._send(200, {"available": True}, {})
                return
            route = self._route(method)
            if route is None:
                self._send(
                    404, {"status": 404, "detail": f"no route {method} {self.path_only}"}, {}
                )
                return
            fault = state.take_fault(route)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault is None or fault.status == 0 or fault.after:
                answer = self._authorised(route) or getattr(self, f"_{route}")(body)
            if fault is not None and fault.drop:
                with state.lock:
                    state.requests.append((route, 0))
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault is not None and fault.status:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = f"{fault.retry_after:g}"
                answer = (
                    fault.status,
                    {"status": fault.status, "title": "simulated fault"},
                    headers,
                )
            with state.lock:
                state.requests.append((route, answer[0]))
            self._send(*answer)

        def _send(self, status: int, payload: object, headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a hung answer)

        def _authorised(self, route: str) -> Answer | None:
            if route == "token":
                return None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer ") and state.token_valid(auth.removeprefix("Bearer ")):
                return None
            return 401, {"status": 401, "title": "unauthorized"}, {}

        def _token(self, body: bytes) -> Answer:
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if (form.get("client_id"), form.get("client_secret")) != (
                state.client_id,
                state.client_secret,
            ):
                status = state.bad_credentials_status
                return status, {"status": status, "detail": "invalid client credentials"}, {}
            token = state.issue_token()
            payload = {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": ADVERTISED_EXPIRES_IN,
            }
            return 200, payload, {}

        def _job(self) -> Job | Answer:
            try:
                job_id = int(self.path_only.rsplit("/", 1)[1])
            except ValueError:
                return 400, {"status": 400, "detail": "job id must be an integer"}, {}
            job = state.jobs.get(job_id)
            if job is None:
                return 404, {"status": 404, "detail": f"job {job_id} not found"}, {}
            return job

        def _get_job(self, body: bytes) -> Answer:
            with state.lock:
                job = self._job()
                if not isinstance(job, Job):
                    return job
                state.polls += 1
                if state.revoke_at_poll is not None and state.polls == state.revoke_at_poll:
                    state.revoke_tokens()
                    return 401, {"status": 401, "title": "unauthorized"}, {}
                state.advance(job)
                return 200, job.as_json(), {}

        def _cancel_job(self, body: bytes) -> Answer:
            with state.lock:
                job = self._job()
                if not isinstance(job, Job):
                    return job
                if job.status not in TERMINAL:
                    job.status = "cancelled"
                return 200, job.as_json(), {}

        def _list_jobs(self, body: bytes) -> Answer:
            q = self.query
            with state.lock:
                jobs = [
                    j
                    for j in state.jobs.values()
                    if q.get("connectionId") in (None, j.connection_id)
                    and q.get("status") in (None, j.status)
                    and q.get("jobType") in (None, "sync")
                ]
            try:
                offset, limit = int(q.get("offset", 0)), int(q.get("limit", 20))
            except ValueError:
                return 400, {"status": 400, "detail": "offset and limit must be integers"}, {}
            data = [j.as_json() for j in jobs[offset : offset + limit]]
            return 200, {"data": data}, {}

        def _create_job(self, body: bytes) -> Answer:
            request = json.loads(body or b"{}")
            conn = request.get("connectionId")
            if request.get("jobType") not in ("sync", "reset"):
                return 422, {"status": 422, "detail": "jobType must be sync or reset"}, {}
            if conn not in state.connections:
                return 404, {"status": 404, "detail": f"connection {conn} not found"}, {}
            with state.lock:
                if state.running_job(conn):
                    return (
                        409,
                        {"status": 409, "detail": f"a sync of {conn} is already running"},
                        {},
                    )
                job = Job(job_id=len(state.jobs) + 1, connection_id=conn)
                state.jobs[job.job_id] = job
                state.jobs_started[conn] += 1
                return 200, job.as_json(), {}

        def _config_job(self, body: bytes) -> Answer:
            job_id = json.loads(body or b"{}").get("id")
            with state.lock:
                job = state.jobs.get(job_id)
                if job is None:
                    return 404, {"message": f"Could not find job with id: {job_id}"}, {}
                return 200, job.as_config_api_json(), {}

        def _control(self, method: str, body: bytes) -> Answer:
            """Test control: ``POST /_simulator/faults`` {"route", status, count, ...},
            ``POST /_simulator/revoke``, ``GET /_simulator/state``."""
            action = self.path_only.removeprefix(CONTROL)
            try:
                if method == "GET" and action == "/state":
                    return 200, state.snapshot(), {}
                if method == "POST" and action == "/revoke":
                    state.revoke_tokens()
                    return 200, {"revoked": True}, {}
                if method == "POST" and action == "/faults":
                    fault = json.loads(body or b"{}")
                    state.add_fault(fault.pop("route", ""), **fault)
                    return 200, state.snapshot()["faults"], {}
            except (TypeError, ValueError) as exc:
                return 400, {"detail": str(exc)}, {}
            return 404, {"detail": f"no control {method} {action}"}, {}

        def do_GET(self) -> None:  # noqa: N802
            self._dispatch("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch("POST")

        def do_DELETE(self) -> None:  # noqa: N802
            self._dispatch("DELETE")

    return Handler
