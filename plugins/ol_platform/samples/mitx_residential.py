"""A generated MITx residential Open edX database (the LMS MySQL tables the warehouse reads).

Residential MITx is the Open edX instance MIT's own students use. Its course numbers are the
ones the Studio sample exports for ``mitx`` (8.01r, 7.00x, 3.091r) plus a few residential
classics, some with the old ``org/number/run`` course keys of runs created before 2014. Part
of its learners are the same people as on MITx Online and edX.org, under the same email (MIT
students also take MITx courses online): the dimensional layer links them by email.

Deterministic for a seed; the same schema is created on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples import edxorg_archives, mitxonline_app
from ol_platform.samples.mitxonline_app import FIRST, LAST, TERMS
from ol_platform.samples.schema import (
    Rows,
    col,
    course_enrollment_table,
    course_grade_table,
    pk,
    table,
)

EPOCH = datetime(2013, 1, 1)  # naive UTC: residential MITx opened in 2012
ORG = "MITx"
COURSES = [
    ("8.01r", "Classical Mechanics"),
    ("7.00x", "Introduction to Biology"),
    ("3.091r", "Introduction to Solid-State Chemistry"),
    ("6.002x", "Circuits and Electronics"),
    ("18.06r", "Linear Algebra"),
    ("6.0001r", "Introduction to Computer Science Programming in Python"),
]
# Runs created before opaque keys: MITx/<number>/<year>_<term>.
LEGACY_RUNS = [("6.002x", "2013_Spring"), ("8.01r", "2013_Fall"), ("18.06r", "2014_Spring")]
USERS = 400
SHARED_WITH_MITXONLINE = 60  # residential learners who also have a MITx Online account
SHARED_WITH_EDXORG = 40  # ... and an edX.org account
EDUCATION = ["p", "m", "b", "a", "hs", "jhs", "el", "none", "other", ""]
COUNTRIES = ["US", "IN", "CN", "BR", "DE", "NG", "FR", "", None]


metadata = sa.MetaData()
table(
    metadata,
    "auth_user",
    ("username", sa.String(150)),
    ("first_name", sa.String(150)),
    ("last_name", sa.String(150)),
    ("email", sa.String(254)),
    ("is_staff", sa.Boolean),
    ("is_active", sa.Boolean),
    ("is_superuser", sa.Boolean),
    ("date_joined", sa.DateTime),
    ("last_login", sa.DateTime),
)
table(
    metadata,
    "auth_userprofile",
    ("user_id", sa.Integer),
    ("name", sa.String(255)),
    ("year_of_birth", sa.Integer),
    ("gender", sa.String(6)),
    ("level_of_education", sa.String(6)),
    ("city", sa.Text),
    ("country", sa.String(2)),
    ("language", sa.String(255)),
    ("goals", sa.Text),
)
sa.Table(
    "course_overviews_courseoverview",
    metadata,
    pk(type_=sa.String(255)),
    col("display_name", sa.Text),
    col("short_description", sa.Text),
    col("org", sa.Text),
    col("display_org_with_default", sa.Text),
    col("display_number_with_default", sa.Text),
    col("self_paced", sa.Boolean),
    col("start", sa.DateTime),
    col("end", sa.DateTime),
    col("enrollment_start", sa.DateTime),
    col("enrollment_end", sa.DateTime),
    col("certificate_available_date", sa.DateTime),
    col("announcement", sa.DateTime),
    col("eligible_for_financial_aid", sa.Boolean),
    col("course_video_url", sa.Text),
    col("lowest_passing_grade", sa.Numeric(5, 2)),
    col("catalog_visibility", sa.Text),
    col("visible_to_staff_only", sa.Boolean),
    col("invitation_only", sa.Boolean),
    col("language", sa.Text),
    col("created", sa.DateTime),
    col("modified", sa.DateTime),
)
course_enrollment_table(metadata)
course_grade_table(metadata, ("course_version", sa.String(255)))
table(
    metadata,
    "courseware_studentmodule",
    ("module_type", sa.String(32)),
    ("module_id", sa.String(255)),
    ("student_id", sa.Integer),
    ("state", sa.Text),
    ("grade", sa.Float),
    ("max_grade", sa.Float),
    ("done", sa.String(8)),
    ("course_id", sa.String(255)),
    ("created", sa.DateTime),
    ("modified", sa.DateTime),
)
# Open edX moved problem-state history from courseware_studentmodulehistory to the
# "extended" table (bigint ids); both are read, the old one for the years it covers.
HISTORY_TABLES = (
    "courseware_studentmodulehistory",
    "coursewarehistoryextended_studentmodulehistoryextended",
)
for _history in HISTORY_TABLES:
    sa.Table(
        _history,
        metadata,
        pk(type_=sa.BigInteger),
        col("student_module_id", sa.Integer),
        col("version", sa.String(255)),
        col("created", sa.DateTime),
        col("state", sa.Text),
        col("grade", sa.Float),
        col("max_grade", sa.Float),
    )


def course_runs() -> list[tuple[str, str, str]]:
    """(course key, course number, run) of every residential run, opaque keys then legacy."""
    runs = [
        (f"course-v1:{ORG}+{number}+{term}", number, term)
        for i, (number, _) in enumerate(COURSES)
        for term in TERMS[i % 2 : i % 2 + 3]
    ]
    return runs + [(f"{ORG}/{number}/{run}", number, run) for number, run in LEGACY_RUNS]


def _run_start(run: str) -> datetime:
    if "_" in run:  # 2013_Spring
        year, term = run.split("_")
        return datetime(int(year), {"Spring": 2, "Summer": 6, "Fall": 9}[term], 5)
    return datetime(int(run[2:]), 1 + 4 * (int(run[0]) - 1), 10)


def _ts(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(seconds=rng.randrange(days * 86400))


def _people(seed: int) -> list[dict]:
    """(username, first, last, email) of each learner: MITx Online and edX.org people first."""
    mitxonline = mitxonline_app.generate(seed)["users_user"][:SHARED_WITH_MITXONLINE]
    people = [
        dict(email=u["email"], first=u["name"].split()[0], last=u["name"].split()[-1])
        for u in mitxonline
    ]
    for uid in range(1, SHARED_WITH_EDXORG + 1):
        u = edxorg_archives._user(seed, uid, day=1, touched=False)
        if all(p["email"] != u["email"] for p in people):  # one person on all three
            people.append(dict(email=u["email"], first=u["first_name"], last=u["last_name"]))
    rng = random.Random(f"{seed}:residential-people")
    while len(people) < USERS:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            dict(
                email=f"{first[0].lower()}{last.lower()}{len(people) + 1}@mit.edu",
                first=first,
                last=last,
            )
        )
    return people


def generate(seed: int = 7) -> Rows:
    rng = random.Random(seed)
    users, profiles = [], []
    for uid, person in enumerate(_people(seed), 1):
        joined = _ts(rng, EPOCH, 4000)
        users.append(
            dict(
                id=uid,
                username=f"{person['first'][0].lower()}{person['last'].lower()}{uid}",
                first_name=person["first"],
                last_name=person["last"],
                email=person["email"],
                is_staff=uid <= 3,
                is_active=rng.random() > 0.04,
                is_superuser=uid == 1,
                date_joined=joined,
                last_login=joined + timedelta(days=rng.randrange(400))
                if rng.random() > 0.1
                else None,
            )
        )
        profiles.append(
            dict(
                id=uid,
                user_id=uid,
                name=f"{person['first']}  {person['last']}",  # as typed: spaces to squeeze
                year_of_birth=rng.choice([None, *range(1960, 2006)]),
                gender=rng.choice(["m", "f", "o", "", None]),
                level_of_education=rng.choice(EDUCATION),
                city=rng.choice(["Cambridge", "Boston", "", None]),
                country=rng.choice(COUNTRIES),
                language="en",
                goals="",
            )
        )
    overviews = []
    for key, number, run in course_runs():
        start = _run_start(run)
        overviews.append(
            dict(
                id=key,
                display_name=dict(COURSES)[number],
                short_description=f"MIT residential course {number}",
                org=ORG,
                display_org_with_default=ORG,
                display_number_with_default=number,
                self_paced=number.endswith("x") and rng.random() < 0.3,
                start=start,
                end=start + timedelta(days=105),
                enrollment_start=start - timedelta(days=45),
                enrollment_end=start + timedelta(days=21) if rng.random() > 0.3 else None,
                certificate_available_date=start + timedelta(days=110) if "_" not in run else None,
                announcement=start - timedelta(days=60),
                eligible_for_financial_aid=False,
                course_video_url=None,
                lowest_passing_grade=rng.choice([0.5, 0.6, 0.7]),
                catalog_visibility="both",
                visible_to_staff_only=False,
                invitation_only=number.endswith("r"),
                language="en",
                created=start - timedelta(days=120),
                modified=start - timedelta(days=rng.randrange(1, 90)),
            )
        )
    by_key = {o["id"]: o for o in overviews}
    pairs = sorted(
        {(rng.randrange(1, USERS + 1), rng.choice(overviews)["id"]) for _ in range(USERS * 3)}
    )
    enrollments = []
    for eid, (uid, key) in enumerate(pairs, 1):
        start = by_key[key]["start"]
        enrollments.append(
            dict(
                id=eid,
                user_id=uid,
                course_id=key,
                created=_ts(rng, start - timedelta(days=45), 60),
                is_active=rng.random() > 0.07,
                mode=rng.choice(["audit", "audit", "honor", "verified"]),
            )
        )
    grades = []
    for e in enrollments:
        if rng.random() < 0.4:
            continue
        pct = round(rng.random(), 2)
        passing = pct >= float(by_key[e["course_id"]]["lowest_passing_grade"])
        modified = e["created"] + timedelta(days=rng.randrange(30, 140))
        grades.append(
            dict(
                id=len(grades) + 1,
                user_id=e["user_id"],
                course_id=e["course_id"],
                course_version="",
                percent_grade=pct,
                letter_grade="Pass" if passing else "",
                passed_timestamp=modified if passing else None,
                created=e["created"] + timedelta(days=10),
                modified=modified,
            )
        )
    modules, history, extended = [], [], []
    # Problem state: a few problems per enrollment, each attempt kept in history. Attempts up
    # to 2018 are in the old history table, later ones in the extended one.
    for e in enrollments[::3]:
        for p in range(1, 3):
            created = e["created"] + timedelta(days=rng.randrange(1, 60))
            attempts = rng.randrange(1, 4)
            max_grade = float(rng.choice([1, 2, 5]))
            module_id = (
                f"block-v1:{e['course_id'].removeprefix('course-v1:')}+type@problem+block@p{p}"
            )
            if "/" in e["course_id"]:
                module_id = f"i4x://{e['course_id'].rsplit('/', 1)[0]}/problem/p{p}"
            grade = 0.0
            sid = len(modules) + 1
            for attempt in range(1, attempts + 1):
                grade = float(rng.randrange(0, int(max_grade) + 1))
                stamp = created + timedelta(hours=attempt * rng.randrange(1, 48))
                target = history if stamp.year < 2018 else extended
                target.append(
                    dict(
                        id=len(history) + len(extended) + 1,
                        student_module_id=sid,
                        version=None,
                        created=stamp,
                        state=json.dumps({"attempts": attempt, "correct_map": {}, "done": True}),
                        grade=grade,
                        max_grade=max_grade,
                    )
                )
            modules.append(
                dict(
                    id=sid,
                    module_type="problem",
                    module_id=module_id,
                    student_id=e["user_id"],
                    state=json.dumps({"attempts": attempts, "done": True}),
                    grade=grade,
                    max_grade=max_grade,
                    done="na",
                    course_id=e["course_id"],
                    created=created,
                    modified=stamp,
                )
            )
    return {
        "auth_user": users,
        "auth_userprofile": profiles,
        "course_overviews_courseoverview": overviews,
        "student_courseenrollment": enrollments,
        "grades_persistentcoursegrade": grades,
        "courseware_studentmodule": modules,
        "courseware_studentmodulehistory": history,
        "coursewarehistoryextended_studentmodulehistoryextended": extended,
    }
