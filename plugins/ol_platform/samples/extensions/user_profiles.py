"""Account and profile tables of the learners: MITx Online profiles, addresses and Open edX
account links; the xPRO app's users, profiles and addresses; MicroMasters, Bootcamps and MIT
Learn accounts and profiles. Who is the same person across systems is fixed in
``samples/identities.py``; this module writes the tables that carry it.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples import identities
from ol_platform.samples.app_databases import (
    _ts,
    bootcamps_md,
    extends,
    micromasters_md,
    mitlearn_md,
    xpro_md,
)
from ol_platform.samples.edxorg_archives import _user as edxorg_user
from ol_platform.samples.mitxonline_app import FIRST, LAST
from ol_platform.samples.mitxonline_app import metadata as mitxonline_md
from ol_platform.samples.schema import (
    STAMPS,
    Rows,
    auth_user_table,
    col,
    table,
)

COUNTRIES = [("US", ["MA", "CA", "NY", "TX"]), ("IN", ["MH", "KA"]), ("BR", ["SP"]),
             ("NG", ["LA"]), ("FR", [""]), ("CN", [""]), ("DE", [""])]  # fmt: skip
EDUCATION = [
    "Doctorate",
    "Master's or professional degree",
    "Bachelor's degree",
    "Associate degree",
    "Secondary/high school",
    "Other education",
]
# MicroMasters and Open edX store education and gender as codes.
EDUCATION_CODES = ["p", "m", "b", "a", "hs", "other"]
GENDER_CODES = ["m", "f", "nb", "o", ""]
COMPANIES = ["Acme Corp", "Globex", "Initech", "MIT", "Umbrella Health", "Stark Industries"]
TITLES = ["Engineer", "Analyst", "Manager", "Researcher", "Teacher", "Consultant"]
INDUSTRIES = ["Education", "Healthcare", "Finance", "Manufacturing", "Government", "Technology"]
TOPICS = ["Business", "Computer Science", "Economics", "Engineering", "Health", "Mathematics",
          "Physics", "Social Sciences"]  # fmt: skip


def _profile_columns(year_column: str) -> list[sa.Column]:
    """The professional-profile columns MITx Online, xPRO and Bootcamps profiles share."""
    return [
        col(year_column, sa.Integer),
        col("gender", sa.String(10)),
        col("company", sa.String(128)),
        col("company_size", sa.Integer),
        col("industry", sa.String(60)),
        col("job_title", sa.String(128)),
        col("job_function", sa.String(60)),
        col("years_experience", sa.Integer),
        col("highest_education", sa.String(60)),
        col("created_on", sa.DateTime),
        col("updated_on", sa.DateTime),
    ]


def _profile(rng: random.Random, year_column: str, user_id: int, joined: datetime) -> dict:
    return {
        "user_id": user_id,
        year_column: rng.randrange(1950, 2006) if rng.random() > 0.1 else None,
        "gender": rng.choice(GENDER_CODES),
        "company": rng.choice(COMPANIES),
        "company_size": rng.choice([1, 9, 99, 999, 9999, 10000, None]),
        "industry": rng.choice(INDUSTRIES),
        "job_title": rng.choice(TITLES),
        "job_function": rng.choice(["Engineering", "Research", "Sales", "Operations"]),
        "years_experience": rng.choice([2, 5, 10, 15, 20, 21, None]),
        "highest_education": rng.choice(EDUCATION),
        "created_on": joined,
        "updated_on": joined + timedelta(days=rng.randrange(1, 90)),
    }


def _address_columns(state_column: str, streets: int) -> list[sa.Column]:
    return [
        col("user_id", sa.Integer),
        col("first_name", sa.String(60)),
        col("last_name", sa.String(60)),
        *[col(f"street_address_{n}", sa.String(60)) for n in range(1, streets + 1)],
        col("city", sa.String(50)),
        col(state_column, sa.String(255)),
        col("country", sa.String(2)),
        col("postal_code", sa.String(10)),
    ]


def _address(rng: random.Random, state_column: str, user_id: int, name: str, streets: int):
    first, _, last = name.partition(" ")
    country, states = rng.choice(COUNTRIES)
    state = rng.choice(states)
    row = {
        "user_id": user_id,
        "first_name": first,
        "last_name": last,
        "city": rng.choice(["Cambridge", "Springfield", "Riverside", "Lagos", "Pune"]),
        state_column: f"{country}-{state}" if state else None,
        "country": country,
        "postal_code": f"{rng.randrange(10000, 99999)}",
    }
    for n in range(1, streets + 1):
        row[f"street_address_{n}"] = f"{rng.randrange(1, 999)} Main St" if n == 1 else ""
    return row


def _with_ids(rows: list[dict]) -> list[dict]:
    return [{"id": i, **row} for i, row in enumerate(rows, 1)]


# --- MITx Online application ----------------------------------------------------------------

table(
    mitxonline_md,
    "users_userprofile",
    ("user_id", sa.Integer),
    *_profile_columns("year_of_birth"),
    ("leadership_level", sa.String(60)),
    ("type_is_student", sa.Boolean),
    ("type_is_professional", sa.Boolean),
    ("type_is_educator", sa.Boolean),
    ("type_is_other", sa.Boolean),
)
table(mitxonline_md, "users_legaladdress", *_address_columns("state", 0), *STAMPS)
table(
    mitxonline_md,
    "openedx_openedxuser",
    ("user_id", sa.Integer),
    ("platform", sa.String(20)),
    ("edx_username", sa.String(150)),
    ("desired_edx_username", sa.String(150)),
    ("has_been_synced", sa.Boolean),
    *STAMPS,
)


# Financial-aid applications: the learner's income, as declared and in USD.
table(
    mitxonline_md,
    "flexiblepricing_flexibleprice",
    ("user_id", sa.Integer),
    ("status", sa.String(30)),
    ("income_usd", sa.Float),
    ("original_income", sa.Float),
    ("original_currency", sa.String(10)),
    ("country_of_income", sa.String(2)),
    ("country_of_residence", sa.String(2)),
    *STAMPS,
)
CURRENCIES = {"US": ("USD", 1.0), "IN": ("INR", 83.0), "BR": ("BRL", 5.0), "FR": ("EUR", 0.9)}


@extends("mitxonline_app")
def _mitxonline(data: Rows, rng: random.Random) -> Rows:
    profiles, addresses, openedx_users = [], [], []
    users = {u["id"]: u for u in data["users_user"]}
    for user in data["users_user"]:
        if rng.random() < 0.85:
            profile = _profile(rng, "year_of_birth", user["id"], user["created_on"])
            kind = rng.choice(["student", "professional", "educator", "other"])
            profiles.append(
                profile
                | {"leadership_level": rng.choice(["Individual contributor", "Manager", ""])}
                | {f"type_is_{k}": k == kind for k in ("student", "professional", "educator")}
                | {"type_is_other": kind == "other"}
            )
        address = _address(rng, "state", user["id"], user["name"], 0)
        addresses.append(
            address | {"created_on": user["created_on"], "updated_on": user["created_on"]}
        )
    for openedx_id in range(1, identities.MITXONLINE_OPENEDX_USERS + 1):
        user = users[identities.mitxonline_app_user_of_openedx(openedx_id, len(users))]
        openedx_users.append(
            {
                "user_id": user["id"],
                "platform": "mitxonline",
                "edx_username": f"mitxtuser{openedx_id}",
                "desired_edx_username": user["username"],
                "has_been_synced": True,
                "created_on": user["created_on"],
                "updated_on": user["created_on"] + timedelta(minutes=5),
            }
        )
    applications = []
    for user in data["users_user"][::12]:  # some learners apply, a few of them twice
        country = rng.choice(list(CURRENCIES))
        currency, rate = CURRENCIES[country]
        for attempt in range(1 + (user["id"] % 5 == 0)):
            income = round(rng.uniform(3000, 90000), 2)
            created = user["created_on"] + timedelta(days=30 + 60 * attempt)
            applications.append(
                {
                    "user_id": user["id"],
                    "status": rng.choice(["approved", "denied", "pending-manual-approval"]),
                    "income_usd": income,
                    "original_income": round(income * rate, 2),
                    "original_currency": currency,
                    "country_of_income": country,
                    "country_of_residence": country,
                    "created_on": created,
                    "updated_on": created + timedelta(days=rng.randrange(1, 20)),
                }
            )
    return {
        "flexiblepricing_flexibleprice": _with_ids(applications),
        "users_userprofile": _with_ids(profiles),
        "users_legaladdress": _with_ids(addresses),
        "openedx_openedxuser": _with_ids(openedx_users),
    }


# --- xPRO application -------------------------------------------------------------------------

table(
    xpro_md,
    "users_user",
    ("username", sa.String(150)),
    ("email", sa.String(254)),
    ("name", sa.String(255)),
    ("is_active", sa.Boolean),
    ("last_login", sa.DateTime),
    *STAMPS,
)
table(
    xpro_md,
    "users_profile",
    ("user_id", sa.Integer),
    *_profile_columns("birth_year"),
    ("leadership_level", sa.String(60)),
)
table(
    xpro_md,
    "users_legaladdress",
    *_address_columns("state_or_territory", 5),
    ("vat_id", sa.String(30)),
)


@extends("xpro_app")
def _xpro(data: Rows, rng: random.Random) -> Rows:
    openedx = {u["id"]: u for u in data["auth_user"]}
    users, profiles, addresses = [], [], []
    for uid in range(1, identities.XPRO_USERS + 1):
        account = openedx[identities.xpro_openedx_user_of_app(uid)]
        created = account["date_joined"] - timedelta(minutes=2)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        users.append(
            {
                "id": uid,
                "username": account["username"],
                "email": identities.xpro_app_email(uid),
                "name": name,
                "is_active": rng.random() > 0.03,
                "last_login": account["last_login"],
                "created_on": created,
                "updated_on": created + timedelta(hours=rng.randrange(1, 500)),
            }
        )
        profiles.append(
            _profile(rng, "birth_year", uid, created)
            | {"leadership_level": rng.choice(["Individual contributor", "Manager"])}
        )
        address = _address(rng, "state_or_territory", uid, name, 5)
        addresses.append(address | {"vat_id": None})
    return {
        "users_user": users,
        "users_profile": _with_ids(profiles),
        "users_legaladdress": _with_ids(addresses),
    }


# --- MicroMasters -----------------------------------------------------------------------------

auth_user_table(micromasters_md, ("first_name", sa.String(150)), ("last_name", sa.String(150)))
table(
    micromasters_md,
    "profiles_profile",
    ("user_id", sa.Integer),
    ("first_name", sa.String(255)),
    ("last_name", sa.String(255)),
    ("romanized_first_name", sa.String(30)),
    ("romanized_last_name", sa.String(50)),
    ("preferred_name", sa.String(255)),
    ("country", sa.String(2)),
    ("state_or_territory", sa.String(255)),
    ("city", sa.String(255)),
    ("postal_code", sa.String(10)),
    ("address", sa.String(100)),
    ("birth_country", sa.String(2)),
    ("nationality", sa.String(2)),
    ("date_of_birth", sa.Date),
    ("gender", sa.String(6)),
    ("edx_level_of_education", sa.String(6)),
    ("edx_employer", sa.String(255)),
    ("edx_job_title", sa.String(255)),
    ("email_optin", sa.Boolean),
    ("filled_out", sa.Boolean),
    ("verified_micromaster_user", sa.Boolean),
    ("date_joined_micromasters", sa.DateTime),
    ("updated_on", sa.DateTime),
)
table(
    micromasters_md,
    "profiles_education",
    ("profile_id", sa.Integer),
    ("degree_name", sa.String(30)),
    ("graduation_date", sa.Date),
    ("field_of_study", sa.String(255)),
    ("online_degree", sa.Boolean),
    ("school_name", sa.String(255)),
    ("school_city", sa.String(255)),
    ("school_state_or_territory", sa.String(255)),
    ("school_country", sa.String(2)),
)
table(
    micromasters_md,
    "profiles_employment",
    ("profile_id", sa.Integer),
    ("city", sa.String(255)),
    ("country", sa.String(2)),
    ("state_or_territory", sa.String(255)),
    ("company_name", sa.String(255)),
    ("position", sa.String(255)),
    ("industry", sa.String(255)),
    ("start_date", sa.Date),
    ("end_date", sa.Date),
)
table(
    micromasters_md,
    "social_auth_usersocialauth",
    ("user_id", sa.Integer),
    ("provider", sa.String(32)),
    ("uid", sa.String(255)),
    ("extra_data", sa.Text),
    ("created", sa.DateTime),
    ("modified", sa.DateTime),
)


@extends("micromasters_app")
def _micromasters(data: Rows, rng: random.Random) -> Rows:
    users, profiles, educations, employments, social = [], [], [], [], []
    for uid in range(1, identities.MICROMASTERS_USERS + 1):
        edx = edxorg_user(identities.SEED, uid, 1, False)  # edX.org's user ``uid``
        username = f"mm-{edx['username']}"
        joined = _ts(rng)
        users.append(
            {
                "id": uid,
                "username": username,
                "email": identities.micromasters_email(uid, edx["email"], username),
                "first_name": edx["first_name"],
                "last_name": edx["last_name"],
                "is_active": rng.random() > 0.03,
                "date_joined": joined,
                "last_login": joined + timedelta(days=rng.randrange(1, 200)),
            }
        )
        social.append(
            {
                "user_id": uid,
                "provider": "edxorg",
                "uid": edx["username"],
                "extra_data": json.dumps({"access_token": "redacted", "token_type": "Bearer"}),
                "created": joined,
                "modified": joined + timedelta(days=rng.randrange(1, 30)),
            }
        )
        country, states = rng.choice(COUNTRIES)
        state = rng.choice(states)
        profiles.append(
            {
                "user_id": uid,
                "first_name": edx["first_name"],
                "last_name": edx["last_name"],
                "romanized_first_name": None,
                "romanized_last_name": None,
                "preferred_name": edx["first_name"],
                "country": country,
                "state_or_territory": f"{country}-{state}" if state else None,
                "city": rng.choice(["Cambridge", "Delhi", "Sao Paulo", "Abuja", "Paris"]),
                "postal_code": f"{rng.randrange(10000, 99999)}",
                "address": f"{rng.randrange(1, 999)} Elm St",
                "birth_country": rng.choice(COUNTRIES)[0],
                "nationality": country,
                "date_of_birth": datetime(rng.randrange(1960, 2004), 1 + uid % 12, 1).date(),
                "gender": rng.choice(GENDER_CODES[:3]),
                "edx_level_of_education": rng.choice(EDUCATION_CODES),
                "edx_employer": rng.choice(COMPANIES),
                "edx_job_title": rng.choice(TITLES),
                "email_optin": rng.random() > 0.5,
                "filled_out": True,
                "verified_micromaster_user": rng.random() > 0.7,
                "date_joined_micromasters": joined,
                "updated_on": joined + timedelta(days=rng.randrange(1, 90)),
            }
        )
        for n in range(rng.randrange(0, 3)):
            educations.append(
                {
                    "profile_id": uid,
                    "degree_name": ["b", "m", "p"][n],
                    "graduation_date": datetime(2005 + 4 * n + uid % 5, 6, 1).date(),
                    "field_of_study": rng.choice(["Economics", "Physics", "Biology"]),
                    "online_degree": False,
                    "school_name": rng.choice(["State University", "Tech Institute"]),
                    "school_city": "Springfield",
                    "school_state_or_territory": None,
                    "school_country": country,
                }
            )
        for n in range(rng.randrange(0, 3)):
            start = datetime(2010 + 5 * n + uid % 4, 9, 1)
            employments.append(
                {
                    "profile_id": uid,
                    "city": "Springfield",
                    "country": country,
                    "state_or_territory": None,
                    "company_name": rng.choice(COMPANIES),
                    "position": rng.choice(TITLES),
                    "industry": rng.choice(INDUSTRIES),
                    "start_date": start.date(),
                    "end_date": None if n else (start + timedelta(days=900)).date(),
                }
            )
    return {
        "auth_user": users,
        "profiles_profile": _with_ids(profiles),
        "profiles_education": _with_ids(educations),
        "profiles_employment": _with_ids(employments),
        "social_auth_usersocialauth": _with_ids(social),
    }


# --- Bootcamps --------------------------------------------------------------------------------

auth_user_table(bootcamps_md)
table(
    bootcamps_md,
    "profiles_profile",
    ("user_id", sa.Integer),
    ("name", sa.String(255)),
    *_profile_columns("birth_year"),
)
table(bootcamps_md, "profiles_legaladdress", *_address_columns("state_or_territory", 5))


@extends("bootcamps_app")
def _bootcamps(data: Rows, rng: random.Random) -> Rows:
    users, profiles, addresses = [], [], []
    for uid in range(1, identities.BOOTCAMPS_USERS + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        username = f"{first.lower()}{last.lower()}bc{uid}"
        joined = _ts(rng)
        users.append(
            {
                "id": uid,
                "username": username,
                "email": identities.bootcamps_email(uid, username),
                "is_active": rng.random() > 0.03,
                "date_joined": joined,
                "last_login": joined + timedelta(days=rng.randrange(1, 200)),
            }
        )
        profiles.append(_profile(rng, "birth_year", uid, joined) | {"name": f"{first}  {last}"})
        addresses.append(_address(rng, "state_or_territory", uid, f"{first} {last}", 5))
    return {
        "auth_user": users,
        "profiles_profile": _with_ids(profiles),
        "profiles_legaladdress": _with_ids(addresses),
    }


# --- MIT Learn --------------------------------------------------------------------------------

table(
    mitlearn_md,
    "profiles_profile",
    ("user_id", sa.Integer),
    ("name", sa.String(255)),
    ("headline", sa.String(60)),
    ("location", sa.Text),
    ("current_education", sa.String(50)),
    ("certificate_desired", sa.String(50)),
    ("completed_onboarding", sa.Boolean),
    ("goals", sa.Text),
    ("delivery", sa.Text),
    ("time_commitment", sa.String(50)),
    ("email_optin", sa.Boolean),
    ("toc_optin", sa.Boolean),
    ("updated_at", sa.DateTime),
)
table(
    mitlearn_md,
    "profiles_profile_topic_interests",
    ("profile_id", sa.Integer),
    ("learningresourcetopic_id", sa.Integer),
)
table(
    mitlearn_md,
    "learning_resources_learningresourcetopic",
    ("name", sa.String(128)),
    ("parent_id", sa.Integer),
    ("topic_uuid", sa.String(36)),
)


@extends("mitlearn_app")
def _mitlearn(data: Rows, rng: random.Random) -> Rows:
    topics = [
        {"id": i, "name": name, "parent_id": None, "topic_uuid": f"{i:08x}-0000-4000-8000-{i:012x}"}
        for i, name in enumerate(TOPICS, 1)
    ]
    profiles, interests = [], []
    for user in data["users_user"]:
        if rng.random() > 0.7:
            continue
        profile_id = len(profiles) + 1
        profiles.append(
            {
                "id": profile_id,
                "user_id": user["id"],
                "name": f"{user['first_name']} {user['last_name']}" if rng.random() > 0.2 else "",
                "headline": "",
                "location": "",
                "current_education": rng.choice(["Bachelor's degree", "Master's degree", ""]),
                "certificate_desired": rng.choice(["yes", "no", "not-sure-yet"]),
                "completed_onboarding": rng.random() > 0.3,
                "goals": json.dumps(
                    rng.sample(
                        ["career-growth", "lifelong-learning", "supplemental-learning"],
                        k=rng.randrange(3),
                    )
                ),
                "delivery": json.dumps(
                    rng.sample(["online", "hybrid", "in-person"], k=rng.randrange(3))
                ),
                "time_commitment": rng.choice(["0-to-5-hours", "5-to-10-hours", "10-to-20-hours"]),
                "email_optin": rng.random() > 0.5,
                "toc_optin": True,
                "updated_at": user["date_joined"] + timedelta(days=rng.randrange(1, 60)),
            }
        )
        for topic in rng.sample(topics, k=rng.randrange(4)):
            interests.append({"profile_id": profile_id, "learningresourcetopic_id": topic["id"]})
    return {
        "profiles_profile": profiles,
        "profiles_profile_topic_interests": _with_ids(interests),
        "learning_resources_learningresourcetopic": topics,
    }
