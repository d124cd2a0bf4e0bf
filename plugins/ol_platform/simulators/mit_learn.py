"""MIT Learn's content-file webhook receiver, over real HTTP, verifying as MIT Learn does.

``POST /api/v1/webhooks/content_files/``:

* ``X-MITLearn-Signature`` missing, or not equal (``hmac.compare_digest``) to the HMAC-SHA256
  hex digest of the raw request body keyed with the shared secret: 403.
* A body that is not JSON, or misses a required field of its source's payload (see
  ``ol_platform.webhooks.payloads``; ``mitx`` is not a source MIT Learn accepts here): 400.
* Otherwise 200 ``{"status": "success", "message": "Webhook received"}``.

For tests and the demo it can be slow (``delay`` seconds before answering) or fail the next
``n`` requests with a status (:meth:`fail_next`), and it records every request with its raw
body and signature (never the secret) and the status it answered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ol_platform.simulators.http import JSONHandler

PATH = "/api/v1/webhooks/content_files/"
HEADER = "X-MITLearn-Signature"
REQUIRED = {
    "mitxonline": {"course_id": str, "course_readable_id": str, "content_path": str},
    "xpro": {"course_id": str, "course_readable_id": str, "content_path": str},
    "canvas": {
        "course_id": int,
        "course_name": str,
        "course_code": str,
        "content_path": str,
        "metadata_path": str,
    },
}


@dataclass
class Received:
    body: bytes
    signature: str | None
    content_type: str | None
    at: float
    status: int = 0

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class MITLearnReceiver:
    secret: str = field(repr=False)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    # Scripted answers for the next requests: (status, headers) to fail, None to answer normally.
    _script: list[tuple[int, dict[str, str]] | None] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closing: threading.Event = field(default_factory=threading.Event, repr=False)

    def fail_next(
        self, times: int, status: int = 503, retry_after: float | None = None, after: int = 0
    ) -> None:
        """Answer ``times`` requests with ``status`` (before verifying anything, as a proxy in
        front of an unavailable app would), once ``after`` more requests were answered normally."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._script.extend([None] * after + [(status, headers)] * times)

    def close(self) -> None:
        """Wake handlers sleeping out ``delay``, so a server can stop promptly."""
        self._closing.set()

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.status == 200]

    def verify(self, body: bytes, signature: str | None) -> bool:
        if signature is None:
            return False
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    def answer(self, body: bytes, signature: str | None) -> tuple[int, Any]:
        if not self.verify(body, signature):
            return 403, {"detail": "Invalid or missing signature"}
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"detail": "Invalid JSON format"}
        if not isinstance(data, dict):
            return 400, {"detail": "Invalid data: expected a JSON object"}
        required = REQUIRED.get(data.get("source"))
        if required is None:
            return 400, {"detail": f"Invalid data: unknown source {data.get('source')!r}"}
        bad = [
            name
            for name, kind in required.items()
            if not isinstance(data.get(name), kind) or isinstance(data.get(name), bool)
        ]
        if bad:
            return 400, {"detail": f"Invalid data: missing or invalid {', '.join(bad)}"}
        return 200, {"status": "success", "message": "Webhook received"}

    def handler(self) -> type[JSONHandler]:
        receiver = self

        class Handler(JSONHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                body = self.body()
                if self.path_only != PATH:
                    self.send_json(404, {"detail": "Not found."})
                    return
                entry = Received(
                    body, self.headers.get(HEADER), self.headers.get("Content-Type"), time.time()
                )
                with receiver._lock:
                    receiver.requests.append(entry)
                    failure = receiver._script.pop(0) if receiver._script else None
                if failure is not None:
                    entry.status = failure[0]
                    self._send(failure[0], {"detail": HTTPStatus(failure[0]).phrase}, failure[1])
                    return
                if receiver.delay and receiver._closing.wait(receiver.delay):
                    return  # shutting down: drop the connection
                entry.status, payload = receiver.answer(body, entry.signature)
                self._send(entry.status, payload)

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test): nothing to answer

        return Handler


def main() -> None:
    """Serve a receiver for the demo: ``python -m ol_platform.simulators.mit_learn``."""
    import argparse
    import os

    from ol_platform.simulators.http import BackgroundServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    secret = os.environ.get("MIT_LEARN_WEBHOOK_SECRET")
    if not secret:
        parser.error("set MIT_LEARN_WEBHOOK_SECRET to the shared secret")
    receiver = MITLearnReceiver(secret=secret)
    with BackgroundServer(receiver.handler(), port=args.port) as server:
        print(f"MIT Learn webhook receiver at {server.url}{PATH}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            receiver.close()


if __name__ == "__main__":
    main()
