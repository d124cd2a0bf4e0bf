"""Generated enrollment exports of xPRO's delivery partners, Emeritus and Global Alumni, as
their BigQuery tables land (one row per learner and batch, i.e. course run, with the learner's
profile as the partner collected it).

Their learners are also learners elsewhere: every third Emeritus learner and every fourth
Global Alumni learner uses the email of an xPRO app learner, and a few learners of both
partners share an email (the same person, enrolled with each). As in the real exports, the
partners fill absent answers with placeholders ("No Response", "(blank)", "NO RESPONSE") and
Emeritus spells gender its own way; a learner can hold several batches (rows) with one id.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ol_platform.samples import identities
from ol_platform.samples.mitxonline_app import FIRST, LAST

Records = dict[str, list[dict[str, Any]]]
# Partner student ids live in their own ranges: ids of one system are never another's.
EMERITUS_ID_BASE = 700_000
GLOBAL_ALUMNI_ID_BASE = 800_000
EMERITUS_LEARNERS = 90
GLOBAL_ALUMNI_LEARNERS = 40
# Global Alumni learners k (1-based) who are Emeritus learner k as well (same email).
SHARED_LEARNERS = (2, 5, 11)
# (batch id, batch title, wrike run code, start)
EMERITUS_BATCHES = [
    ("EM-ELP-01", "Engineering Leadership, Batch 1", "MITXPRO-ELP-2023-01", datetime(2023, 1, 9)),
    ("EM-ELP-02", "Engineering Leadership, Batch 2", "MITXPRO-ELP-2023-07", datetime(2023, 7, 10)),
    ("EM-PMG-01", "Professional Certificate in Product Management", "MITXPRO-PMG-2023-03",
     datetime(2023, 3, 6)),
]  # fmt: skip
GLOBAL_ALUMNI_BATCHES = [
    ("GA-DTX-01", "Digital Transformation (Spanish), Cohort 1", "MITXPRO-GA-DTX-2023-02",
     datetime(2023, 2, 13)),
    ("GA-DTX-02", "Digital Transformation (Spanish), Cohort 2", "MITXPRO-GA-DTX-2023-09",
     datetime(2023, 9, 11)),
]  # fmt: skip
GENDERS = ["Female", "Male", "Nonbinary", "Prefer not to answer", "No Response"]
FUNCTIONS = ["Engineering", "Product", "Operations", "No Response"]
INDUSTRIES = ["Aerospace", "Software", "Manufacturing", "No Response", "(blank)"]
COUNTRIES = ["US", "IN", "MX", "ES", "BR"]


def _email(partner: str, k: int) -> str:
    xpro_user = {"emeritus": 3 * k, "global_alumni": 4 * k}[partner]
    if partner == "global_alumni" and k in SHARED_LEARNERS:
        return _email("emeritus", k)
    if xpro_user <= identities.XPRO_USERS and k % 2 == 1:
        return identities.xpro_app_email(xpro_user)
    return f"{partner.replace('_', '')}learner{k}@example.com"


def _learner(rng: random.Random, partner: str, k: int, base: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if k in SHARED_LEARNERS:  # the same person at both partners: the same name
        first, last = FIRST[k % len(FIRST)], LAST[k % len(LAST)]
    return {
        "student_id": base + k,
        "first_name": first,
        "last_name": last,
        "email": _email(partner, k),
        "company_name": rng.choice(["Boeing", "Acme Corp", "Globex", None]),
        "work_exp_slab": rng.choice(["0-5 years", "5-10 years", "10+ years"]),
        "residential_zip_code": f"{rng.randrange(10000, 99999)}",
        "country": rng.choice(COUNTRIES),
        "gdpr_agree": rng.random() > 0.1,
        "residential_address": rng.choice([f"{rng.randrange(1, 999)} Main St", "NO RESPONSE"]),
        "residential_city": rng.choice(["Boston", "Austin", "Madrid", "NO RESPONSE"]),
        "residential_state": rng.choice(["MA", "TX", "NO RESPONSE"]),
        "function": rng.choice(FUNCTIONS),
        "job_title": rng.choice(["Engineer", "Manager", "Director", "No Response"]),
        "industry": rng.choice(INDUSTRIES),
        "gender": rng.choice(GENDERS),
    }


def _rows(
    rng: random.Random,
    partner: str,
    batches: list[tuple[str, str, str, datetime]],
    learners: int,
    base: int,
) -> list[dict[str, Any]]:
    rows = []
    for k in range(1, learners + 1):
        learner = _learner(rng, partner, k, base)
        # Most learners hold one batch; every seventh holds two.
        taken = rng.sample(batches, 2 if k % 7 == 0 else 1)
        for batch_id, title, run_code, start in sorted(taken, key=lambda b: b[3]):
            created = (start - timedelta(days=rng.randrange(10, 60))).replace(tzinfo=UTC)
            rows.append(
                {
                    **learner,
                    "batch_id": batch_id,
                    "batch": title,
                    "wrike_run_code": run_code,
                    "batch_start_date": start.replace(tzinfo=UTC),
                    "batch_end_date": (start + timedelta(days=84)).replace(tzinfo=UTC),
                    "gdpr_consent_date": created + timedelta(hours=rng.randrange(1, 48)),
                    "opportunity_created_date": created,
                    "opportunity_last_modified_date": created + timedelta(days=rng.randrange(30)),
                    "enrollment_type": rng.choice(["B2C", "B2B"]),
                    "status": rng.choice(["Enrolled", "Enrolled", "Enrolled", "Withdrawn"]),
                    "deferred": rng.random() < 0.05,
                    "nationality": learner["country"],
                }
            )
    if partner == "emeritus":
        # Emeritus writes "(blank)" where the learner gave no email (two learners here).
        for row in rows:
            if row["student_id"] > base + learners - 2:
                row["email"] = "(blank)"
    else:
        for row in rows:  # Global Alumni does not export these columns
            for column in (
                "nationality",
                "enrollment_type",
                "opportunity_created_date",
                "opportunity_last_modified_date",
            ):
                del row[column]
    return rows


def generate(seed: int) -> Records:
    rng = random.Random(seed)
    return {
        "emeritus_api_enrollments": _rows(
            rng, "emeritus", EMERITUS_BATCHES, EMERITUS_LEARNERS, EMERITUS_ID_BASE
        ),
        "global_alumni_api_enrollments": _rows(
            rng,
            "global_alumni",
            GLOBAL_ALUMNI_BATCHES,
            GLOBAL_ALUMNI_LEARNERS,
            GLOBAL_ALUMNI_ID_BASE,
        ),
    }
