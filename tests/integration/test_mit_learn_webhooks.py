"""MIT Learn content webhooks over real HTTP, against a receiver that verifies as MIT Learn does.

Covers the exact body bytes and signature, the Open edX and Canvas payloads,
mitx not being sent, refusals that must not be retried (403 wrong secret, 404), transient
failures that must be (503 twice, 429, a receiver slower than the read timeout), the delivery
ledger in the lake (a rerun sends nothing new; after a partial failure only the rest), and the
DAG task end to end: triggering Asset events in, signed POSTs out, the secret never logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ol_platform.simulators.http import BackgroundServer
from ol_platform.simulators.mit_learn import PATH, MITLearnReceiver
from ol_platform.webhooks.client import (
    ClientConfig,
    MITLearnClient,
    WebhookDeliveryError,
    WebhookRejectedError,
)
from ol_platform.webhooks.delivery import deliver
from ol_platform.webhooks.ledger import DeliveryLedger, ledger_identifier

SECRET = "mitlearn-shared-secret-7f3c9a"
LEDGER = "ol_warehouse_local_platform.mit_learn_webhook_deliveries"


def openedx_item(deployment: str, run: str = "1T2026", digest: str | None = None) -> dict:
    course_id = f"course-v1:MITxT+18.01x+{run}"
    digest = digest or hashlib.sha256(f"{deployment}{run}".encode()).hexdigest()
    return {
        "source": deployment,
        "course_id": course_id,
        "course_readable_id": "course-v1:MITxT+18.01x",
        "content_path": f"{deployment}/openedx/raw_data/course_xml/{course_id}/{digest}.xml.tar.gz",
        "sha256": digest,
    }


def canvas_item(course_id: int, readable_id: str | None = None) -> dict:
    digest = hashlib.sha256(str(course_id).encode()).hexdigest()
    return {
        "source": "canvas",
        "course_id": course_id,
        "course_name": f"Canvas Course {course_id}",
        "course_code": f"CC{course_id}",
        "course_readable_id": readable_id,
        "content_path": f"canvas/course_content/{course_id}/{digest}.imscc",
        "metadata_path": f"canvas/course_content/{course_id}/{digest}_metadata.json",
        "sha256": digest,
    }


def hmac_hex(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class RecordingSleep:
    """Sleeps for real (so the receiver sees the gaps) and remembers each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def receiver():
    receiver = MITLearnReceiver(secret=SECRET)
    with BackgroundServer(receiver.handler()) as server:
        receiver.url = server.url  # type: ignore[attr-defined]
        yield receiver
        receiver.close()


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


def make_client(
    receiver: MITLearnReceiver, sleeps: RecordingSleep, secret: str = SECRET, **tunables
) -> MITLearnClient:
    config = ClientConfig(
        base_url=receiver.url,  # type: ignore[attr-defined]
        **({"backoff_base": 0.05, "backoff_max": 1.0, "max_attempts": 4} | tunables),
    )
    return MITLearnClient(config, secret, sleep=sleeps, rng=random.Random(7))


@pytest.fixture
def ledger(catalog) -> DeliveryLedger:
    return DeliveryLedger(catalog, ledger_identifier("local"))


# --- the contract on the wire ------------------------------------------------------------------


def test_exact_body_bytes_and_signature_are_accepted(receiver, sleeps, ledger):
    item = openedx_item("mitxonline", digest="9f" * 32)
    with make_client(receiver, sleeps) as client:
        report = deliver([item], client=client, ledger=ledger, run_id="r1")

    assert report.delivered == [item["content_path"]]
    [request] = receiver.requests
    expected = (
        '{"course_id":"course-v1:MITxT+18.01x+1T2026",'
        '"course_readable_id":"course-v1:MITxT+18.01x",'
        f'"content_path":"mitxonline/openedx/raw_data/course_xml/course-v1:MITxT+18.01x+1T2026/'
        f'{"9f" * 32}.xml.tar.gz","source":"mitxonline"}}'
    ).encode()
    assert request.body == expected
    assert request.signature == hmac_hex(expected)
    assert request.content_type == "application/json"
    assert request.status == 200
    assert sleeps.delays == []
    [row] = ledger.rows()
    assert row["content_path"] == item["content_path"] and row["http_status"] == 200
    assert json.loads(row["response"])["status"] == "success"
    assert row["attempts"] == 1 and row["dag_run_id"] == "r1"


def test_openedx_and_canvas_payloads_follow_the_contract_and_mitx_is_not_sent(
    receiver, sleeps, ledger
):
    items = [
        openedx_item("mitxonline"),
        openedx_item("xpro", run="R2"),
        openedx_item("mitx", run="3T2025"),
        canvas_item(4411),
        canvas_item(4412, readable_id="canvas-4412-ocw"),
    ]
    with make_client(receiver, sleeps) as client:
        report = deliver(items, client=client, ledger=ledger)

    assert report.not_sent == [items[2]["content_path"]]
    payloads = [r.payload for r in receiver.accepted]
    assert len(receiver.requests) == len(payloads) == 4
    assert {p["source"] for p in payloads} == {"mitxonline", "xpro", "canvas"}
    for payload, item in zip(payloads[:2], items[:2], strict=True):
        assert payload == {
            k: item[k] for k in ("course_id", "course_readable_id", "content_path", "source")
        }
        assert list(payload) == ["course_id", "course_readable_id", "content_path", "source"]
    assert payloads[2] == {
        "course_id": 4411,
        "course_name": "Canvas Course 4411",
        "course_code": "CC4411",
        "content_path": items[3]["content_path"],
        "metadata_path": items[3]["metadata_path"],
        "source": "canvas",
    }, "course_readable_id is left out when null"
    assert payloads[3]["course_readable_id"] == "canvas-4412-ocw"
    assert isinstance(payloads[3]["course_id"], int)
    assert b'"course_id":4412,' in receiver.requests[3].body  # an int on the wire, compact
    assert all(b", " not in r.body and b": " not in r.body for r in receiver.requests)
    assert {r["content_path"] for r in ledger.rows()} == {
        i["content_path"] for i in items if i["source"] != "mitx"
    }


def test_receiver_verifies_like_mit_learn():
    """The simulator itself: 403 without or with a wrong signature, 400 on bad bodies."""
    receiver = MITLearnReceiver(secret=SECRET)
    good = json.dumps(openedx_item("xpro"), separators=(",", ":")).encode()
    with BackgroundServer(receiver.handler()) as server, httpx.Client() as http:
        url = server.url + PATH

        def post(body: bytes, signature: str | None) -> httpx.Response:
            headers = {"Content-Type": "application/json"}
            if signature is not None:
                headers["X-MITLearn-Signature"] = signature
            return http.post(url, content=body, headers=headers)

        assert post(good, None).status_code == 403
        assert post(good, hmac_hex(good, "not-the-secret")).status_code == 403
        assert post(good + b" ", hmac_hex(good)).status_code == 403  # signed other bytes
        assert post(b"not json", hmac_hex(b"not json")).status_code == 400
        missing = json.dumps({"source": "canvas", "course_id": 1}).encode()
        answer = post(missing, hmac_hex(missing))
        assert answer.status_code == 400 and "course_name" in answer.json()["detail"]
        mitx = json.dumps(openedx_item("mitx")).encode()
        assert post(mitx, hmac_hex(mitx)).status_code == 400
        ok = post(good, hmac_hex(good))
        assert ok.status_code == 200
        assert ok.json() == {"status": "success", "message": "Webhook received"}


# --- what is retried and what is not -----------------------------------------------------------


def test_wrong_secret_fails_at_once_with_403_and_the_answer_body(receiver, sleeps, ledger):
    with (
        make_client(receiver, sleeps, secret="stale-secret-value") as client,
        pytest.raises(WebhookRejectedError) as info,
    ):
        deliver([openedx_item("mitxonline")], client=client, ledger=ledger)
    message = str(info.value)
    assert "HTTP 403" in message and "Invalid or missing signature" in message
    assert "not retried" in message and "mit_learn_webhook" in message
    assert "stale-secret-value" not in message
    assert info.value.status_code == 403
    assert [r.status for r in receiver.requests] == [403], "exactly one POST, no retry"
    assert sleeps.delays == []
    assert ledger.rows() == []


def test_slow_receiver_beyond_the_read_timeout_is_retried_then_fails_clearly(
    receiver, sleeps, ledger
):
    receiver.delay = 3.0
    started = time.monotonic()
    with (
        make_client(receiver, sleeps, timeout=0.3, connect_timeout=0.3, max_attempts=3) as client,
        pytest.raises(WebhookDeliveryError) as info,
    ):
        deliver([openedx_item("xpro")], client=client, ledger=ledger)
    elapsed = time.monotonic() - started
    message = str(info.value)
    assert "timed out (ReadTimeout)" in message and "failed 3 time(s)" in message
    assert "did not acknowledge xpro course" in message
    assert info.value.attempts == 3
    assert len(receiver.requests) == 3 and len(sleeps.delays) == 2
    assert elapsed < 3.0, "each attempt gave up at the read timeout, not the receiver's pace"
    assert ledger.rows() == []


def test_two_503s_then_success_is_delivered_on_attempt_3_after_backoff(receiver, sleeps, ledger):
    receiver.fail_next(2, status=503)
    item = canvas_item(77)
    with make_client(receiver, sleeps, backoff_base=0.2, backoff_max=5.0) as client:
        deliver([item], client=client, ledger=ledger)

    assert [r.status for r in receiver.requests] == [503, 503, 200]
    # Full jitter: delay n is uniform in [0, base * 2**(n-1)], drawn from the client's RNG.
    expected_rng = random.Random(7)
    expected = [expected_rng.uniform(0, 0.2), expected_rng.uniform(0, 0.4)]
    assert sleeps.delays == pytest.approx(expected)
    arrivals = [r.at for r in receiver.requests]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert all(gap >= delay - 0.01 for gap, delay in zip(gaps, sleeps.delays, strict=True))
    assert len({r.body for r in receiver.requests}) == 1, "every attempt sends the same bytes"
    [row] = ledger.rows()
    assert row["attempts"] == 3 and row["content_path"] == item["content_path"]


def test_429_is_retried_honouring_retry_after(receiver, sleeps, ledger):
    receiver.fail_next(1, status=429, retry_after=0.3)
    with make_client(receiver, sleeps) as client:
        report = deliver([openedx_item("mitxonline")], client=client, ledger=ledger)
    assert [r.status for r in receiver.requests] == [429, 200]
    assert report.delivered and sleeps.delays[0] >= 0.3


def test_404_is_not_retried(receiver, sleeps, ledger):
    receiver.fail_next(1, status=404)
    with (
        make_client(receiver, sleeps) as client,
        pytest.raises(WebhookRejectedError, match=r"HTTP 404 Not Found: .*Not Found"),
    ):
        deliver([openedx_item("mitxonline")], client=client, ledger=ledger)
    assert [r.status for r in receiver.requests] == [404]
    assert sleeps.delays == []


def test_connection_refused_is_retried_then_fails(sleeps, ledger):
    with BackgroundServer(MITLearnReceiver(secret=SECRET).handler()) as server:
        url = server.url  # a port that nobody listens on once the server is gone
    config = ClientConfig(base_url=url, backoff_base=0.01, max_attempts=3)
    with (
        MITLearnClient(config, SECRET, sleep=sleeps) as client,
        pytest.raises(WebhookDeliveryError, match=r"connection failed \(ConnectError"),
    ):
        deliver([openedx_item("xpro")], client=client, ledger=ledger)
    assert len(sleeps.delays) == 2


# --- the ledger --------------------------------------------------------------------------------


def test_rerun_after_success_sends_nothing(receiver, sleeps, ledger, catalog):
    items = [openedx_item("mitxonline"), openedx_item("xpro"), canvas_item(5)]
    with make_client(receiver, sleeps) as client:
        first = deliver(items, client=client, ledger=ledger)
    with make_client(receiver, sleeps) as client:
        again = deliver(items, client=client, ledger=ledger)

    assert len(first.delivered) == 3 and again.delivered == []
    assert sorted(again.already_acknowledged) == sorted(i["content_path"] for i in items)
    assert len(receiver.requests) == 3
    # Durable in the lake: a fresh catalog (another worker) sees the same acknowledgements.
    from ol_platform.lake.catalog import get_catalog

    elsewhere = DeliveryLedger(get_catalog(), LEDGER)
    assert elsewhere.acknowledged(i["content_path"] for i in items) == {
        i["content_path"] for i in items
    }


def test_partial_failure_rerun_sends_only_what_was_not_acknowledged(receiver, sleeps, ledger):
    items = [openedx_item("mitxonline", run=f"{n}T2026") for n in range(1, 4)]
    receiver.fail_next(2, status=502, after=1)  # the first lands, the second fails twice
    with (
        make_client(receiver, sleeps, max_attempts=2) as client,
        pytest.raises(WebhookDeliveryError, match="HTTP 502"),
    ):
        deliver(items, client=client, ledger=ledger)
    assert [r["content_path"] for r in ledger.rows()] == [items[0]["content_path"]]
    assert len(receiver.accepted) == 1

    with make_client(receiver, sleeps) as client:
        rerun = deliver(items, client=client, ledger=ledger)
    assert rerun.already_acknowledged == [items[0]["content_path"]]
    assert rerun.delivered == [items[1]["content_path"], items[2]["content_path"]]
    accepted = [r.payload["content_path"] for r in receiver.accepted]
    assert accepted == [i["content_path"] for i in items], "each acknowledged exactly once"


# --- the DAG task -------------------------------------------------------------------------------


def asset_events(*events: tuple[str, list[dict]]):
    """Airflow's own ``triggering_asset_events`` accessor over events of the export Assets."""
    from airflow.sdk.api.datamodels._generated import AssetReferenceAssetEventDagRun
    from airflow.sdk.execution_time.comms import AssetEventDagRunReferenceResult
    from airflow.sdk.execution_time.context import TriggeringAssetEventsAccessor

    from ol_platform.exports.assets import export_asset

    start = datetime(2026, 3, 1, tzinfo=UTC)
    results = []
    for n, (source, archives) in enumerate(events):
        asset = export_asset(source)
        results.append(
            AssetEventDagRunReferenceResult(
                asset=AssetReferenceAssetEventDagRun(name=asset.name, uri=asset.uri, extra={}),
                extra={"archives": archives},
                source_task_id="export",
                source_dag_id=f"export__{source}",
                source_run_id=f"scheduled__{n}",
                source_map_index=-1,
                source_aliases=[],
                timestamp=start + timedelta(minutes=n),
            )
        )
    return TriggeringAssetEventsAccessor.build(results)


@pytest.fixture
def webhook_dag(settings):
    from ol_platform.orchestration.webhook_dag import build_webhook_dag

    return build_webhook_dag(settings)


def set_connection(monkeypatch, receiver, secret: str) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_MIT_LEARN_WEBHOOK",
        json.dumps(
            {
                "conn_type": "http",
                "host": receiver.url,
                "password": secret,
                "extra": {"backoff_base": 0.01, "max_attempts": 2},
            }
        ),
    )


def test_dag_is_scheduled_on_the_export_assets(webhook_dag):
    uris = {a.uri for a in webhook_dag.timetable.asset_condition.objects}
    assert uris == {
        f"olp-landing://course-exports/{s}" for s in ("mitxonline", "xpro", "mitx", "canvas")
    }
    assert webhook_dag.is_paused_upon_creation is True
    task = webhook_dag.get_task("notify_mit_learn")
    assert task.retries >= 1 and task.retry_exponential_backoff and task.on_failure_callback


@contextlib.contextmanager
def airflow_log_masking(caplog) -> Iterator[None]:
    """caplog behind the filter Airflow puts between a task and its log: the secrets masker."""
    from airflow.sdk._shared.secrets_masker import _secrets_masker

    masker = _secrets_masker()
    was_enabled = masker.is_log_masking_enabled()
    masker.enable_log_masking()
    caplog.handler.addFilter(masker)
    caplog.set_level(logging.DEBUG)
    try:
        yield
    finally:
        caplog.handler.removeFilter(masker)
        if not was_enabled:
            masker.disable_log_masking()


def test_dag_task_announces_triggering_archives_and_never_logs_the_secret(
    webhook_dag, receiver, ledger, monkeypatch, caplog
):
    secret = f"dag-secret-{uuid.uuid4().hex}"  # unique: no other test registered it
    receiver.secret = secret
    set_connection(monkeypatch, receiver, secret)
    mitx, xpro = openedx_item("mitx"), openedx_item("xpro")
    events = asset_events(
        ("mitxonline", [openedx_item("mitxonline")]),
        ("xpro", [xpro]),
        ("mitx", [mitx]),
        ("canvas", [canvas_item(12, "canvas-12")]),
        ("xpro", [xpro]),  # listed again by a later event: announced once
    )
    with airflow_log_masking(caplog):
        task = webhook_dag.get_task("notify_mit_learn")
        result = task.python_callable(triggering_asset_events=events, run_id="asset__1")
        # A careless log line with the secret, emitted after the task read its connection.
        logging.getLogger("ol_platform.webhooks").warning("connection password is %s", secret)

    assert result == {"delivered": 3, "already_acknowledged": 0, "not_sent": 1}
    sources = sorted(r.payload["source"] for r in receiver.accepted)
    assert sources == ["canvas", "mitxonline", "xpro"]
    assert {r["dag_run_id"] for r in ledger.rows()} == {"asset__1"}
    assert "acknowledged xpro course" in caplog.text
    assert secret not in caplog.text
    assert "connection password is ***" in caplog.text, "the secret is registered with the masker"


def test_dag_task_fails_at_once_on_a_refusal(webhook_dag, receiver, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    set_connection(monkeypatch, receiver, "a-wrong-shared-secret")
    events = asset_events(("mitxonline", [openedx_item("mitxonline")]))
    task = webhook_dag.get_task("notify_mit_learn")
    with pytest.raises(AirflowFailException, match="HTTP 403") as info:
        task.python_callable(triggering_asset_events=events, run_id="asset__2")
    assert "a-wrong-shared-secret" not in str(info.value)
    assert len(receiver.requests) == 1


def test_dag_task_without_new_archives_posts_nothing(webhook_dag, receiver, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_MIT_LEARN_WEBHOOK", raising=False)
    task = webhook_dag.get_task("notify_mit_learn")
    result = task.python_callable(triggering_asset_events=asset_events(("canvas", [])))
    assert result["delivered"] == 0 and receiver.requests == []


def test_dag_task_falls_back_to_the_reference_environment_variables_and_masks_the_secret(
    webhook_dag, receiver, ledger, monkeypatch, caplog
):
    """Airflow masks a connection's password by itself; a secret from the environment is
    registered with the masker by our code."""
    secret = f"env-secret-{uuid.uuid4().hex}"
    receiver.secret = secret
    monkeypatch.delenv("AIRFLOW_CONN_MIT_LEARN_WEBHOOK", raising=False)
    monkeypatch.setenv("MIT_LEARN_BASE_URL", receiver.url)
    monkeypatch.setenv("MIT_LEARN_WEBHOOK_SECRET", secret)
    task = webhook_dag.get_task("notify_mit_learn")
    with airflow_log_masking(caplog):
        result = task.python_callable(
            triggering_asset_events=asset_events(("canvas", [canvas_item(9)])), run_id="asset__3"
        )
        logging.getLogger("ol_platform.webhooks").warning("the secret is %s", secret)
    assert result["delivered"] == 1 and len(receiver.accepted) == 1
    assert secret not in caplog.text and "the secret is ***" in caplog.text
