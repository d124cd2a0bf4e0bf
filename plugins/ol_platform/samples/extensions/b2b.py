"""MITx Online's B2B area: organizations, their contracts, members, and the runs a contract
offers.

An organization (``b2b_organizationpage``, a CMS page) buys contracts
(``b2b_contractpage``: dates, seat limit, fixed price, how learners join). A contract offers
course runs of its own: a run's ``b2b_contract_id`` names it. A learner who joins an
organization has a membership (``b2b_userorganization``). The sample gives two organizations
(one signs in through its own SSO) three contracts, one of them ended and inactive; each
contract offers one or two runs, and the learners enrolled in a contract's runs are members of
its organization (the first two are its managers); one organization also has a member who
has not enrolled in any of its runs yet.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from ol_platform.samples.app_databases import extends
from ol_platform.samples.extensions.programs import mitxonline_md, naive_time
from ol_platform.samples.schema import Rows, col, pk, table

sa.Table(
    "b2b_organizationpage",
    mitxonline_md,
    pk("page_ptr_id"),
    col("name", sa.String(255)),
    col("org_key", sa.String(64)),
    col("logo", sa.String(255)),
    col("description", sa.Text),
    col("sso_organization_id", sa.String(36)),
)
sa.Table(
    "b2b_contractpage",
    mitxonline_md,
    pk("page_ptr_id"),
    col("name", sa.String(255)),
    col("description", sa.Text),
    col("active", sa.Boolean),
    col("organization_id", sa.Integer),
    col("contract_start", sa.DateTime),
    col("contract_end", sa.DateTime),
    col("max_learners", sa.Integer),
    col("enrollment_fixed_price", sa.Numeric(12, 2)),
    col("membership_type", sa.String(32)),
)
table(
    mitxonline_md,
    "b2b_userorganization",
    ("user_id", sa.Integer),
    ("organization_id", sa.Integer),
    ("keep_until_seen", sa.Boolean),
    ("is_manager", sa.Boolean),
)
# A course run offered under a contract names it (null for the public catalogue's runs).
mitxonline_md.tables["courses_courserun"].append_column(col("b2b_contract_id", sa.Integer))

ORGANIZATION_PAGES, CONTRACT_PAGES = 3000, 3100  # Wagtail page ids of the two kinds
# (name, key, has its own SSO, [(contract name, active, runs, max learners, price)])
ORGANIZATIONS = [
    (
        "Acme Manufacturing",
        "acme",
        True,
        [
            ("Acme Data Literacy 2024", False, 1, 120, "0.00"),
            ("Acme Supply Chain 2025", True, 2, None, "250.00"),
        ],
    ),
    ("Northwind Health", "northwind", False, [("Northwind Analytics", True, 1, 100, None)]),
]


@extends("mitxonline_app")
def _mitxonline(data: Rows, rng: random.Random) -> Rows:
    runs = sorted(data["courses_courserun"], key=lambda r: r["id"])
    enrollments = data["courses_courserunenrollment"]
    users = sorted(u["id"] for u in data["users_user"])
    offered_runs = sum(c[2] for *_, org_contracts in ORGANIZATIONS for c in org_contracts)
    contract_runs = iter(rng.sample(runs, offered_runs))
    organizations, contracts, members = [], [], []
    contract_of: dict[int, int] = {}  # run id -> contract id
    for org_index, (name, key, sso, org_contracts) in enumerate(ORGANIZATIONS, 1):
        org_id = ORGANIZATION_PAGES + org_index
        organizations.append(
            dict(
                page_ptr_id=org_id,
                name=name,
                org_key=key,
                logo=f"/media/b2b/{key}.png",
                description=f"<p>{name} learns with MITx Online.</p>",
                sso_organization_id=f"{rng.getrandbits(128):032x}" if sso else None,
            )
        )
        joined: dict[int, bool] = {}  # member -> is a manager
        for contract_name, active, n_runs, max_learners, price in org_contracts:
            contract_id = CONTRACT_PAGES + len(contracts) + 1
            offered = [next(contract_runs) for _ in range(n_runs)]
            start = min(r["start_date"] for r in offered) - timedelta(days=30)
            contracts.append(
                dict(
                    page_ptr_id=contract_id,
                    name=contract_name,
                    description=f"<p>{contract_name}: courses for {name}.</p>",
                    active=active,
                    organization_id=org_id,
                    contract_start=naive_time(start),
                    contract_end=naive_time(start + timedelta(days=365)),
                    max_learners=max_learners,
                    enrollment_fixed_price=price,
                    membership_type="managed" if sso else "code",
                )
            )
            for run in offered:
                contract_of[run["id"]] = contract_id
                for enrollment in enrollments:
                    if enrollment["run_id"] == run["id"]:
                        joined.setdefault(enrollment["user_id"], False)
        learners = sorted(joined)
        for manager in learners[:2]:
            joined[manager] = True
        if org_index == 1:  # a member who has not enrolled in any of its runs yet
            joined.setdefault(next(u for u in reversed(users) if u not in joined), False)
        for user_id in sorted(joined):
            members.append(
                dict(
                    id=len(members) + 1,
                    user_id=user_id,
                    organization_id=org_id,
                    keep_until_seen=rng.random() < 0.1,
                    is_manager=joined[user_id],
                )
            )
    return {
        "b2b_organizationpage": organizations,
        "b2b_contractpage": contracts,
        "b2b_userorganization": members,
        "courses_courserun": [
            {**run, "b2b_contract_id": contract_of.get(run["id"])}
            for run in data["courses_courserun"]
        ],
    }
