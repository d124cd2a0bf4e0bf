"""An Airbyte public API (v1) simulator over real HTTP, for the production ingest path.

It enforces the parts of the contract the platform relies on:

* ``POST /api/public/v1/applications/token`` exchanges client credentials (form body) for a
  bearer token; every other route answers 401 without a valid ``Authorization`` header.
* ``POST /api/public/v1/jobs`` starts a sync for a known connection (404 for an unknown one,
  409 while a job of that connection is still running), answering ``pending``.
* ``GET /api/public/v1/jobs/{id}`` advances the job: ``running`` for ``polls_to_finish`` polls,
  then ``succeeded``, or ``failed`` for connections listed in ``failing``; a connection in
  ``hanging`` never finishes.
* ``DELETE /api/public/v1/jobs/{id}`` cancels a running job.
* ``GET /api/public/v1/health`` answers 200 without credentials.

The server's state is inspectable (``state.jobs``) so tests can assert that a job was
cancelled after a timeout.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from ol_platform.simulators.http import JSONHandler

PREFIX = "/api/public/v1"
CONFIG_JOBS_GET = "/api/v1/jobs/get"
TERMINAL = {"succeeded", "failed", "cancelled"}


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
class AirbyteState:
    client_id: str
    client_secret: str
    connections: set[str]
    failing: set[str] = field(default_factory=set)
    hanging: set[str] = field(default_factory=set)
    polls_to_finish: int = 2
    tokens: set[str] = field(default_factory=set)
    jobs: dict[int, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

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


def make_handler(state: AirbyteState) -> type[JSONHandler]:
    class Handler(JSONHandler):
        def _authorised(self) -> bool:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer ") and auth.removeprefix("Bearer ") in state.tokens:
                return True
            self.send_json(401, {"status": 401, "title": "unauthorized"})
            return False

        def _job(self) -> Job | None:
            try:
                job_id = int(self.path_only.rsplit("/", 1)[1])
            except ValueError:
                self.send_json(400, {"status": 400, "detail": "job id must be an integer"})
                return None
            job = state.jobs.get(job_id)
            if job is None:
                self.send_json(404, {"status": 404, "detail": f"job {job_id} not found"})
            return job

        def do_GET(self) -> None:  # noqa: N802
            if self.path_only == f"{PREFIX}/health":
                self.send_json(200, {"available": True})
            elif self.path_only.startswith(f"{PREFIX}/jobs/") and self._authorised():
                with state.lock:
                    job = self._job()
                    if job:
                        state.advance(job)
                        self.send_json(200, job.as_json())
            elif not self.path_only.startswith(f"{PREFIX}/jobs/"):
                self.send_json(404, {"status": 404})

        def do_POST(self) -> None:  # noqa: N802
            body = self.body()
            if self.path_only == f"{PREFIX}/applications/token":
                form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
                if (form.get("client_id"), form.get("client_secret")) != (
                    state.client_id,
                    state.client_secret,
                ):
                    self.send_json(401, {"status": 401, "detail": "invalid client credentials"})
                    return
                token = secrets.token_urlsafe(24)
                state.tokens.add(token)
                self.send_json(
                    200, {"access_token": token, "token_type": "Bearer", "expires_in": 180}
                )
            elif self.path_only == CONFIG_JOBS_GET:
                if not self._authorised():
                    return
                import json

                job_id = json.loads(body or b"{}").get("id")
                with state.lock:
                    job = state.jobs.get(job_id)
                    if job is None:
                        self.send_json(404, {"message": f"Could not find job with id: {job_id}"})
                    else:
                        self.send_json(200, job.as_config_api_json())
            elif self.path_only == f"{PREFIX}/jobs":
                if not self._authorised():
                    return
                import json

                request = json.loads(body or b"{}")
                conn = request.get("connectionId")
                if request.get("jobType") not in ("sync", "reset"):
                    self.send_json(422, {"status": 422, "detail": "jobType must be sync or reset"})
                    return
                if conn not in state.connections:
                    self.send_json(404, {"status": 404, "detail": f"connection {conn} not found"})
                    return
                with state.lock:
                    if any(
                        j.connection_id == conn and j.status not in TERMINAL
                        for j in state.jobs.values()
                    ):
                        self.send_json(
                            409, {"status": 409, "detail": f"a sync of {conn} is already running"}
                        )
                        return
                    job = Job(job_id=len(state.jobs) + 1, connection_id=conn)
                    state.jobs[job.job_id] = job
                self.send_json(200, job.as_json())
            else:
                self.send_json(404, {"status": 404})

        def do_DELETE(self) -> None:  # noqa: N802
            if not self.path_only.startswith(f"{PREFIX}/jobs/") or not self._authorised():
                return
            with state.lock:
                job = self._job()
                if job:
                    if job.status not in TERMINAL:
                        job.status = "cancelled"
                    self.send_json(200, job.as_json())

    return Handler
