"""The delivery ledger: which archives MIT Learn has acknowledged, kept in the lake.

A rerun of the webhook DAG (a cleared task, a retry after a partial failure, a new run that sees
an export event again) must not announce an archive twice. Each acknowledgement is committed
right after MIT Learn answers, as a MERGE on ``content_path`` into the Iceberg table
``ol_warehouse_<env>_platform.mit_learn_webhook_deliveries``: durable across workers and
restarts (a worker's disk or XCom is not), atomic per commit, and queryable from Trino for
operators ("was this course export announced, when, after how many attempts?").
``content_path`` names the archive by its sha256, so a changed course is a new key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions import In

from ol_platform.lake.naming import namespace
from ol_platform.lake.writer import WriteDisposition, commit

LEDGER_TABLE = "mit_learn_webhook_deliveries"

SCHEMA = pa.schema(
    [
        pa.field("content_path", pa.string()),
        pa.field("source", pa.string()),
        pa.field("course_id", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("http_status", pa.int32()),
        pa.field("response", pa.string()),
        pa.field("attempts", pa.int32()),
        pa.field("delivered_at", pa.timestamp("us", tz="UTC")),
        pa.field("dag_run_id", pa.string()),
    ]
)


def ledger_identifier(env: str) -> str:
    return f"{namespace(env, 'platform')}.{LEDGER_TABLE}"


@dataclass(frozen=True)
class DeliveryRecord:
    content_path: str
    source: str
    course_id: str
    sha256: str | None
    http_status: int
    response: dict
    attempts: int
    dag_run_id: str | None
    delivered_at: datetime | None = None


class DeliveryLedger:
    def __init__(self, catalog: Catalog, identifier: str) -> None:
        self.catalog, self.identifier = catalog, identifier

    def acknowledged(self, content_paths: Iterable[str]) -> set[str]:
        """The subset of ``content_paths`` MIT Learn has already acknowledged."""
        wanted = sorted(set(content_paths))
        if not wanted:
            return set()
        try:
            table = self.catalog.load_table(self.identifier)
        except NoSuchTableError:
            return set()
        found = table.scan(
            row_filter=In("content_path", wanted), selected_fields=("content_path",)
        ).to_arrow()
        return set(found.column("content_path").to_pylist())

    def record(self, entry: DeliveryRecord) -> None:
        """Commit one acknowledgement (its own Iceberg commit, so a later crash keeps it)."""
        row = {
            "content_path": entry.content_path,
            "source": entry.source,
            "course_id": entry.course_id,
            "sha256": entry.sha256,
            "http_status": entry.http_status,
            "response": json.dumps(entry.response, separators=(",", ":")),
            "attempts": entry.attempts,
            "delivered_at": entry.delivered_at or datetime.now(UTC),
            "dag_run_id": entry.dag_run_id,
        }
        commit(
            self.catalog,
            self.identifier,
            pa.Table.from_pylist([row], schema=SCHEMA),
            disposition=WriteDisposition.MERGE,
            primary_key=["content_path"],
        )

    def rows(self) -> list[dict]:
        try:
            return self.catalog.load_table(self.identifier).scan().to_arrow().to_pylist()
        except NoSuchTableError:
            return []
