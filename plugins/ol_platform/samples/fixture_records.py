"""Fixture records for the Airbyte sources that are not databases: edX.org's IRx BigQuery and
S3 report exports (generated in ``edxorg_exports``), xPRO's partners' BigQuery enrollment
exports (``xpro_partners``), the Open edX forums (mongodump), Mailgun events and Salesforce
objects.

Records are keyed by table (``<namespace>__<entity>`` when the table has a namespace) and
generated deterministically.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ol_platform.samples import edxorg_exports, xpro_partners

Records = dict[str, list[dict]]
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _iso(rng: random.Random, days: int = 500) -> str:
    return (BASE + timedelta(seconds=rng.randrange(days * 86400))).isoformat()


def _forums(seed: int) -> Records:
    rng = random.Random(seed)
    out: Records = {}
    for deployment in ("mitx", "mitxonline", "xpro"):
        rows = []
        for i in range(1, 151):
            kind = "CommentThread" if i % 4 == 1 else "Comment"
            rows.append(
                {
                    "_id": f"{deployment[:2]}{i:022x}",
                    "_type": kind,
                    "author_id": str(rng.randrange(1, 300)),
                    "course_id": f"course-v1:{deployment}+{rng.randrange(1, 20)}x+1T2024",
                    "title": f"Question {i}" if kind == "CommentThread" else None,
                    "body": "Does anyone have a hint for problem set 3?",
                    "votes": {"up_count": rng.randrange(5)},
                    "created_at": _iso(rng),
                    "updated_at": _iso(rng),
                }
            )
        out[f"{deployment}__contents"] = rows
    return out


def _mailgun(seed: int) -> Records:
    rng = random.Random(seed)
    events = [
        {
            "id": f"evt{i:08d}",
            "event": rng.choice(["delivered", "opened", "clicked", "failed"]),
            "recipient": f"learner{rng.randrange(1, 500)}@example.org",
            "timestamp": _iso(rng),
            "tags": ["course-announcement"],
            "delivery_status": {"code": 250, "message": "OK"},
        }
        for i in range(1, 301)
    ]
    return {"events": events}


def _salesforce(seed: int) -> Records:
    rng = random.Random(seed)
    accounts = [
        {
            "id": f"001{i:012d}",
            "name": f"Company {i}",
            "industry": rng.choice(["Tech", "Health"]),
            "systemmodstamp": _iso(rng),
        }
        for i in range(1, 41)
    ]
    contacts = [
        {
            "id": f"003{i:012d}",
            "account_id": f"001{rng.randrange(1, 41):012d}",
            "email": f"buyer{i}@example.com",
            "systemmodstamp": _iso(rng),
        }
        for i in range(1, 121)
    ]
    opportunities = [
        {
            "id": f"006{i:012d}",
            "account_id": f"001{rng.randrange(1, 41):012d}",
            "stage_name": rng.choice(["Prospecting", "Closed Won", "Closed Lost"]),
            "amount": float(rng.randrange(1000, 90000)),
            "close_date": _iso(rng)[:10],
            "systemmodstamp": _iso(rng),
        }
        for i in range(1, 81)
    ]
    return {"account": accounts, "contact": contacts, "opportunity": opportunities}


FIXTURES: dict[str, Callable[[int], Records]] = {
    "irx_bigquery": edxorg_exports.generate,
    "xpro_partners_bigquery": xpro_partners.generate,
    "openedx_forums": _forums,
    "mailgun_api": _mailgun,
    "salesforce_api": _salesforce,
}


def fixture_key(entity: str, namespace: str | None) -> str:
    return f"{namespace}__{entity}" if namespace else entity
