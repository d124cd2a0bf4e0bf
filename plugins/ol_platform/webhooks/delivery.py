"""One webhook run: the archives of the triggering export events, minus what was acknowledged.

Archives are announced one at a time, in the order their exports landed; each
acknowledgement is committed to the ledger before the next POST, so a failure part-way (or a
killed worker) leaves exactly the acknowledged ones recorded and a rerun sends only the rest.
The first failure stops the run: a refusal (403, 400) or an unreachable MIT Learn would refuse
the remaining archives the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ol_platform.webhooks.client import MITLearnClient
from ol_platform.webhooks.ledger import DeliveryLedger, DeliveryRecord
from ol_platform.webhooks.payloads import ArchiveItemError, WebhookRequest, webhook_request

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    already_acknowledged: list[str] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)  # sources MIT Learn is not told about

    def as_dict(self) -> dict[str, int]:
        return {
            "delivered": len(self.delivered),
            "already_acknowledged": len(self.already_acknowledged),
            "not_sent": len(self.not_sent),
        }


def archives_from_events(events: Mapping[Any, Sequence[Any]]) -> list[dict[str, Any]]:
    """Archive items of every triggering event, oldest event first, each content_path once.

    ``events`` is Airflow's ``triggering_asset_events``: every export event since this DAG's
    last run, per Asset (an event reached through an alias is listed twice; deduplicated).
    """
    flat = [event for per_asset in events.values() for event in per_asset]
    flat.sort(key=lambda e: e.timestamp)
    items: dict[str, dict[str, Any]] = {}
    for event in flat:
        archives = (event.extra or {}).get("archives", [])
        if not isinstance(archives, list):
            raise ArchiveItemError(
                f"Asset event of {event.asset.name}: extra 'archives' is "
                f"{type(archives).__name__}, expected a list"
            )
        for item in archives:
            if not isinstance(item, dict) or "content_path" not in item:
                raise ArchiveItemError(
                    f"Asset event of {event.asset.name}: archive item {item!r} has no content_path"
                )
            items.setdefault(item["content_path"], item)
    return list(items.values())


def plan(items: Iterable[dict[str, Any]], report: DeliveryReport) -> list[WebhookRequest]:
    """Requests for the items MIT Learn is told about; every item is validated first, so a
    malformed event fails the run before anything is sent."""
    requests = []
    for item in items:
        request = webhook_request(item)
        if request is None:
            report.not_sent.append(item["content_path"])
        else:
            requests.append(request)
    return requests


def deliver(
    items: Iterable[dict[str, Any]],
    *,
    client: MITLearnClient,
    ledger: DeliveryLedger,
    run_id: str | None = None,
) -> DeliveryReport:
    started = time.monotonic()
    report = DeliveryReport()
    requests = plan(items, report)
    done = ledger.acknowledged(r.content_path for r in requests)
    pending = []
    for request in requests:
        if request.content_path in done:
            report.already_acknowledged.append(request.content_path)
        else:
            pending.append(request)
    log.info(
        "%d archive(s) to announce to %s; %d already acknowledged, %d not sent (mitx)",
        len(pending),
        client.url,
        len(report.already_acknowledged),
        len(report.not_sent),
    )
    for request in pending:
        label = f"{request.source} course {request.course_id} ({request.content_path})"
        try:
            ack = client.post(request.body, label=label)
        except Exception:
            log.error(
                "stopped after %d of %d archive(s) acknowledged; a rerun sends the other %d",
                len(report.delivered),
                len(pending),
                len(pending) - len(report.delivered),
            )
            raise
        ledger.record(
            DeliveryRecord(
                content_path=request.content_path,
                source=request.source,
                course_id=request.course_id,
                sha256=request.sha256,
                http_status=ack.status_code,
                response=ack.body,
                attempts=ack.attempts,
                dag_run_id=run_id,
            )
        )
        report.delivered.append(request.content_path)
        log.info("acknowledged %s after %d attempt(s) in %.2fs", label, ack.attempts, ack.seconds)
    log.info(
        "announced %d archive(s) in %.1fs: %s",
        len(report.delivered),
        time.monotonic() - started,
        report.as_dict(),
    )
    return report
