"""Generated application databases for every database-backed source but MITx Online's
(which has its own module): Bootcamps, MIT Learn, MITx Online Open edX, MicroMasters,
OCW Studio and xPRO (app and Open edX tables in one sample).

Each sample is a SQLAlchemy schema plus a deterministic row generator, so the same code
creates it on SQLite (local mode), PostgreSQL and MariaDB (tests). Keys are shared with the
MITx Online sample: the same course numbers and run tags appear in MITx Online, MicroMasters
and the Open edX tables, so the dbt layer can integrate them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples import identities, mitx_residential, mitxonline_app
from ol_platform.samples.mitxonline_app import SUBJECTS, course_run_keys
from ol_platform.samples.schema import (
    STAMPS,
    Rows,
    auth_user_table,
    catalog_table,
    course_enrollment_table,
    course_grade_table,
    enrollment_table,
    table,
)

EPOCH = datetime(2023, 1, 1)  # naive UTC, as the MITx Online sample


def _ts(rng: random.Random, days: int = 600) -> datetime:
    return EPOCH + timedelta(seconds=rng.randrange(days * 86400))


def _start(term: str) -> datetime:
    return datetime(int(term[2:]), 1 + 4 * (int(term[0]) - 1), 10)


@dataclass(frozen=True)
class SampleExtension:
    """Tables a module adds to one sample database (``samples/extensions/``).

    The module declares its tables on the sample's metadata at import time; ``rows`` gets the
    rows generated so far for that sample (base tables and earlier extensions), so the new
    tables reuse its keys (users, course runs, programs), and returns its own tables' rows.
    """

    sample: str
    rows: Callable[[Rows, random.Random], Rows]


EXTENSIONS: list[SampleExtension] = []


def extends(sample: str) -> Callable[[Callable[[Rows, random.Random], Rows]], Callable]:
    """Register a row generator for tables a module added to the sample database ``sample``."""

    def register(rows: Callable[[Rows, random.Random], Rows]) -> Callable:
        EXTENSIONS.append(SampleExtension(sample, rows))
        return rows

    return register


def extended_rows(sample: str, data: Rows, seed: int) -> Rows:
    """``data`` (a sample's base rows) with the rows of every extension of ``sample`` added."""
    for i, extension in enumerate(e for e in EXTENSIONS if e.sample == sample):
        data.update(extension.rows(data, random.Random(seed * 1000 + i)))
    return data


@dataclass(frozen=True)
class SampleDatabase:
    name: str
    metadata: sa.MetaData
    base_rows: Callable[[int], Rows]

    def generate(self, seed: int = 7) -> Rows:
        """Every table's rows: the base tables', then each extension's, in registration order."""
        return extended_rows(self.name, self.base_rows(seed), seed)

    def build(self, engine: sa.Engine, seed: int = 7) -> dict[str, int]:
        data = self.generate(seed)
        missing = [t.name for t in self.metadata.sorted_tables if t.name not in data]
        if missing:
            raise ValueError(f"sample database '{self.name}': no rows generated for {missing}")
        self.metadata.drop_all(engine)
        self.metadata.create_all(engine)
        with engine.begin() as conn:
            for table in self.metadata.sorted_tables:
                if data[table.name]:
                    conn.execute(table.insert(), data[table.name])
        return {name: len(rows) for name, rows in data.items()}


# --- Bootcamps ---------------------------------------------------------------------------

bootcamps_md = sa.MetaData()
table(
    bootcamps_md,
    "klasses_bootcamp",
    ("title", sa.String(255)),
    ("readable_id", sa.String(100)),
    ("legacy", sa.Boolean),
)
table(
    bootcamps_md,
    "klasses_bootcamprun",
    ("bootcamp_id", sa.Integer),
    ("title", sa.String(255)),
    ("bootcamp_run_id", sa.String(100)),
    ("run_key", sa.Integer),
    ("start_date", sa.DateTime),
    ("end_date", sa.DateTime),
)
enrollment_table(bootcamps_md, "klasses_bootcamprunenrollment", "bootcamp_run_id")

BOOTCAMPS = [
    "Global Entrepreneurship Bootcamp",
    "Innovation Leadership Bootcamp",
    "Healthcare Innovation Bootcamp",
    "Deep Technology Bootcamp",
]


def _bootcamps(seed: int) -> Rows:
    rng = random.Random(seed)
    camps = [
        dict(
            id=i,
            title=t,
            readable_id=f"bootcamp-v1:public+{t.split()[0][:4].upper()}",
            legacy=i == 1,
        )
        for i, t in enumerate(BOOTCAMPS, 1)
    ]
    runs = []
    for camp in camps:
        for key in range(1, 4):
            start = datetime(2022 + key, 3 + camp["id"], 1)
            runs.append(
                dict(
                    id=len(runs) + 1,
                    bootcamp_id=camp["id"],
                    title=f"{camp['title']} {key}",
                    bootcamp_run_id=f"{camp['readable_id']}+R{key}",
                    run_key=key,
                    start_date=start,
                    end_date=start + timedelta(days=14),
                )
            )
    enrollments = []
    for i in range(1, 401):
        created = _ts(rng)
        enrollments.append(
            dict(
                id=i,
                user_id=rng.randrange(1, 301),
                bootcamp_run_id=rng.randrange(1, len(runs) + 1),
                active=rng.random() > 0.1,
                change_status=None,
                created_on=created,
                updated_on=created + timedelta(days=rng.randrange(30)),
            )
        )
    return {
        "klasses_bootcamp": camps,
        "klasses_bootcamprun": runs,
        "klasses_bootcamprunenrollment": enrollments,
    }


# --- MIT Learn ---------------------------------------------------------------------------

mitlearn_md = sa.MetaData()
table(
    mitlearn_md,
    "learning_resources_learningresource",
    ("readable_id", sa.String(255)),
    ("title", sa.String(255)),
    ("resource_type", sa.String(50)),
    ("platform", sa.String(50)),
    ("published", sa.Boolean),
    *STAMPS,
)
table(
    mitlearn_md,
    "learning_resources_learningresourcerun",
    ("learning_resource_id", sa.Integer),
    ("run_id", sa.String(255)),
    ("title", sa.String(255)),
    ("start_date", sa.DateTime),
    ("end_date", sa.DateTime),
    *STAMPS,
)
table(
    mitlearn_md,
    "users_user",
    ("email", sa.String(254)),
    ("first_name", sa.String(150)),
    ("last_name", sa.String(150)),
    ("global_id", sa.String(36)),
    ("is_active", sa.Boolean),
    ("date_joined", sa.DateTime),
)


def _mitlearn(seed: int) -> Rows:
    rng = random.Random(seed)
    resources, runs = [], []
    for i, (number, title) in enumerate(SUBJECTS, 1):
        created = _ts(rng)
        resources.append(
            dict(
                id=i,
                readable_id=f"course-v1:MITxT+{number}",
                title=title,
                resource_type="course",
                platform="mitxonline",
                published=True,
                created_on=created,
                updated_on=created + timedelta(days=rng.randrange(60)),
            )
        )
    for number, term in course_run_keys():
        rid = next(r["id"] for r in resources if r["readable_id"].endswith(f"+{number}"))
        start = _start(term)
        runs.append(
            dict(
                id=len(runs) + 1,
                learning_resource_id=rid,
                run_id=f"course-v1:MITxT+{number}+{term}",
                title=dict(SUBJECTS)[number],
                start_date=start,
                end_date=start + timedelta(days=98),
                created_on=start - timedelta(days=90),
                updated_on=start - timedelta(days=80),
            )
        )
    users = []
    for i in range(1, 501):
        joined = _ts(rng)
        # Learn signs learners in with their MITx Online identity (identities.py).
        person = identities.mitlearn_user_of(i)
        first, last = person["name"].split(" ", 1) if person else ("Learner", str(i))
        users.append(
            dict(
                id=i,
                email=person["email"] if person else f"learner{i}@example.org",
                first_name=first,
                last_name=last,
                global_id=person["global_id"]
                if person
                else mitxonline_app.global_id("mitlearn", i),
                is_active=True,
                date_joined=joined,
            )
        )
    return {
        "learning_resources_learningresource": resources,
        "learning_resources_learningresourcerun": runs,
        "users_user": users,
    }


# --- Open edX (MITx Online, xPRO) -------------------------------------------------------


def _openedx_tables(md: sa.MetaData, with_grades: bool) -> None:
    auth_user_table(md)
    course_enrollment_table(md)
    if with_grades:
        course_grade_table(md)


def _openedx_rows(
    rng: random.Random,
    org: str,
    runs: list[str],
    users: int,
    grades: bool,
    pairs: list[tuple[int, str]] | None = None,
) -> Rows:
    """An Open edX's users and enrollments: ``pairs`` (user id, course key) where an app
    enrolls its learners, else random ones."""
    auth = [
        dict(
            id=i,
            username=f"{org.lower()}user{i}",
            email=f"{org.lower()}user{i}@example.org",
            is_active=True,
            date_joined=_ts(rng),
            last_login=_ts(rng),
        )
        for i in range(1, users + 1)
    ]
    if pairs is None:
        pairs = sorted({(rng.randrange(1, users + 1), rng.choice(runs)) for _ in range(users * 2)})
    enrollments = [
        dict(
            id=i,
            user_id=u,
            course_id=c,
            created=_ts(rng),
            is_active=True,
            mode=rng.choice(["audit", "verified"]),
        )
        for i, (u, c) in enumerate(pairs, 1)
    ]
    rows: Rows = {"auth_user": auth, "student_courseenrollment": enrollments}
    if grades:
        rows["grades_persistentcoursegrade"] = []
        for e in enrollments[: len(enrollments) // 2]:
            pct = round(rng.random(), 2)
            modified = e["created"] + timedelta(days=rng.randrange(1, 120))
            rows["grades_persistentcoursegrade"].append(
                dict(
                    id=len(rows["grades_persistentcoursegrade"]) + 1,
                    user_id=e["user_id"],
                    course_id=e["course_id"],
                    percent_grade=pct,
                    letter_grade="Pass" if pct >= 0.6 else "",
                    passed_timestamp=modified if pct >= 0.6 else None,
                    created=e["created"],
                    modified=modified,
                )
            )
    return rows


mitxonline_openedx_md = sa.MetaData()
_openedx_tables(mitxonline_openedx_md, with_grades=True)


def _mitxonline_openedx(seed: int) -> Rows:
    runs = [f"course-v1:MITxT+{n}+{t}" for n, t in course_run_keys()]
    users = identities.MITXONLINE_OPENEDX_USERS
    rows = _openedx_rows(random.Random(seed), "MITxT", runs, users=users, grades=True)
    # The app syncs its learner's email to their Open edX account (identities.py).
    app_users = identities.mitxonline_app_users()
    for user in rows["auth_user"]:
        if not identities.openedx_email_is_stale(user["id"]):
            owner = app_users[identities.mitxonline_app_user_of_openedx(user["id"])]
            user["email"] = owner["email"]
    return rows


# --- MicroMasters ------------------------------------------------------------------------

micromasters_md = sa.MetaData()
table(
    micromasters_md,
    "courses_program",
    ("title", sa.String(255)),
    ("live", sa.Boolean),
    ("num_required_courses", sa.Integer),
)
table(
    micromasters_md,
    "courses_course",
    ("program_id", sa.Integer),
    ("title", sa.String(255)),
    ("edx_key", sa.String(255)),
    ("position_in_program", sa.Integer),
)
table(
    micromasters_md,
    "courses_courserun",
    ("course_id", sa.Integer),
    ("title", sa.String(255)),
    ("edx_course_key", sa.String(255)),
    ("start_date", sa.DateTime),
    ("end_date", sa.DateTime),
    ("upgrade_deadline", sa.DateTime),
    ("enrollment_end", sa.DateTime),
    ("exam_semester", sa.String(50)),
    ("passing_grade", sa.Float),
)

PROGRAMS = {
    1: (
        "Data, Economics, and Design of Policy",
        ["14.100x", "14.310x", "14.73x", "14.740x", "JPAL102x"],
    ),
    2: ("Statistics and Data Science", ["6.86x", "18.6501x", "6.431x"]),
    3: ("Supply Chain Management", ["CTL.SC0x", "CTL.SC1x", "CTL.SC2x", "CTL.SC3x"]),
}


def _micromasters(seed: int) -> Rows:
    rng = random.Random(seed)
    programs = [
        dict(id=p, title=t, live=True, num_required_courses=len(c))
        for p, (t, c) in PROGRAMS.items()
    ]
    courses, runs = [], []
    for pid, (_, numbers) in PROGRAMS.items():
        for pos, number in enumerate(numbers, 1):
            courses.append(
                dict(
                    id=len(courses) + 1,
                    program_id=pid,
                    title=dict(SUBJECTS)[number],
                    edx_key=f"MITxT+{number}",
                    position_in_program=pos,
                )
            )
    by_number = {c["edx_key"].split("+")[1]: c["id"] for c in courses}
    for number, term in course_run_keys():
        if number not in by_number:
            continue
        start = _start(term)
        semester = f"{['Spring', 'Summer', 'Fall'][int(term[0]) - 1]} {term[2:]}"
        runs.append(
            dict(
                id=len(runs) + 1,
                course_id=by_number[number],
                title=dict(SUBJECTS)[number],
                edx_course_key=f"course-v1:MITxT+{number}+{term}",
                start_date=start,
                end_date=start + timedelta(days=98),
                upgrade_deadline=start + timedelta(days=60),
                enrollment_end=start + timedelta(days=70),
                exam_semester=semester,
                passing_grade=rng.choice([0.5, 0.6, 0.65]),
            )
        )
    return {"courses_program": programs, "courses_course": courses, "courses_courserun": runs}


# --- OCW Studio --------------------------------------------------------------------------

ocw_md = sa.MetaData()
table(
    ocw_md,
    "websites_website",
    ("name", sa.String(512)),
    ("title", sa.String(512)),
    ("short_id", sa.String(100)),
    ("url_path", sa.String(512)),
    ("publish_date", sa.DateTime),
    ("first_published_to_production", sa.DateTime),
    ("live_publish_status", sa.String(20)),
    ("unpublish_status", sa.String(20)),
    *STAMPS,
)
table(
    ocw_md,
    "websites_websitecontent",
    ("website_id", sa.Integer),
    ("title", sa.String(512)),
    ("type", sa.String(24)),
    ("text_id", sa.String(36)),
    ("metadata", sa.Text),
    *STAMPS,
)


OCW_INSTRUCTORS = ["Prof. Ana Ito", "Prof. Ben Jones", "Dr. Chen Khan", "Prof. Dana Lopez"]
OCW_TOPICS = [
    ["Social Science", "Economics", "Microeconomics"],
    ["Engineering", "Computer Science", "Artificial Intelligence"],
    ["Mathematics", "Probability and Statistics"],
    ["Science", "Biology", "Cell Biology"],
]
OCW_RESOURCE_TYPES = ["Lecture Notes", "Problem Sets with Solutions", "Lecture Videos", "Exams"]


def _ocw(seed: int) -> Rows:
    """Course sites: each has a sitemetadata item (Studio's course metadata, JSON) whose
    instructors point at instructor items; most are live, some unpublished, some never
    published."""
    rng = random.Random(seed)
    sites, content = [], []

    def item(site: int, kind: str, title: str, created: datetime, metadata=None) -> dict:
        row = dict(
            id=len(content) + 1,
            website_id=site,
            title=title,
            type=kind,
            text_id=f"{site:08x}-{len(content):04x}",
            metadata=json.dumps(metadata) if metadata is not None else None,
            created_on=created,
            updated_on=created + timedelta(days=rng.randrange(90)),
        )
        content.append(row)
        return row

    for i, (number, title) in enumerate(SUBJECTS, 1):
        created = _ts(rng)
        term, year = rng.choice(["Fall", "Spring", "Summer", "January IAP"]), 2015 + i % 9
        slug = f"{number.lower().replace('.', '-')}-{title.lower().replace(' ', '-')[:40]}"
        slug = f"{slug}-{term.split()[-1].lower()}-{year}"
        state = "never" if i % 10 == 0 else "unpublished" if i % 7 == 0 else "live"
        published = None if state == "never" else created + timedelta(days=rng.randrange(30))
        sites.append(
            dict(
                id=i,
                name=slug,
                title=title,
                short_id=f"{number.lower()}-{term.split()[-1].lower()}-{year}",
                url_path=f"courses/{slug}",
                publish_date=published and published + timedelta(days=rng.randrange(200)),
                first_published_to_production=published,
                live_publish_status=None if state == "never" else "succeeded",
                unpublish_status="succeeded" if state == "unpublished" else None,
                created_on=created,
                updated_on=created + timedelta(days=rng.randrange(90)),
            )
        )
        instructors = [
            item(i, "instructor", name, created)["text_id"]
            for name in rng.sample(OCW_INSTRUCTORS, rng.randrange(1, 3))
        ]
        department = number.split(".")[0]
        item(
            i,
            "sitemetadata",
            "Site Metadata",
            created,
            {
                "course_title": title,
                "course_description": f"{title}, as taught at MIT.",
                "primary_course_number": number.removesuffix("x"),
                "extra_course_numbers": f"{department}.9{i:02d}" if i % 3 == 0 else "",
                "department_numbers": sorted({department, "15"} if i % 4 == 0 else {department}),
                "term": term,
                "year": str(year),
                "level": ["Undergraduate", "Graduate"][: 1 + i % 2],
                "topics": [OCW_TOPICS[i % len(OCW_TOPICS)]],
                "learning_resource_types": OCW_RESOURCE_TYPES[: 2 + i % 3],
                "instructors": {"content": instructors, "website": slug},
            },
        )
        for kind in ("page", "resource", "resource", "video"):
            item(i, kind, f"{title}: {kind}", created)
    return {"websites_website": sites, "websites_websitecontent": content}


# --- xPRO (app database and Open edX in one sample) -------------------------------------

xpro_md = sa.MetaData()
catalog_table(xpro_md, "courses_course")
table(
    xpro_md,
    "courses_courserun",
    ("course_id", sa.Integer),
    ("title", sa.String(255)),
    ("courseware_id", sa.String(255)),
    ("run_tag", sa.String(32)),
    ("start_date", sa.DateTime),
    ("end_date", sa.DateTime),
    ("live", sa.Boolean),
    *STAMPS,
)
# The order that paid for the enrollment (null when none did), as the app keeps it.
enrollment_table(xpro_md, "courses_courserunenrollment", "run_id", ("order_id", sa.Integer))
_openedx_tables(xpro_md, with_grades=False)

XPRO_COURSES = [
    ("SysEngx", "Architecture and Systems Engineering"),
    ("QCx", "Quantum Computing Fundamentals"),
    ("VDAx", "Virtual Design and Construction"),
    ("CSx", "Cybersecurity"),
]


def _xpro(seed: int) -> Rows:
    rng = random.Random(seed)
    courses, runs = [], []
    for i, (code, title) in enumerate(XPRO_COURSES, 1):
        created = _ts(rng)
        courses.append(
            dict(
                id=i,
                title=title,
                readable_id=f"course-v1:xPRO+{code}",
                live=True,
                created_on=created,
                updated_on=created + timedelta(days=5),
            )
        )
        for r in range(1, 4):
            start = datetime(2023, 2 * r, 1)
            runs.append(
                dict(
                    id=len(runs) + 1,
                    course_id=i,
                    title=title,
                    courseware_id=f"course-v1:xPRO+{code}+R{r}",
                    run_tag=f"R{r}",
                    start_date=start,
                    end_date=start + timedelta(days=70),
                    live=True,
                    created_on=start - timedelta(days=60),
                    updated_on=start - timedelta(days=50),
                )
            )
    # The app enrolls a learner in a run once (unique on user and run).
    every_pair = [(u, r["id"]) for u in range(1, identities.XPRO_USERS + 1) for r in runs]
    enrollments = []
    for i, (user_id, run_id) in enumerate(sorted(rng.sample(every_pair, 600)), 1):
        created = _ts(rng)
        enrollments.append(
            dict(
                id=i,
                user_id=user_id,
                run_id=run_id,
                active=True,
                change_status=None,
                created_on=created,
                updated_on=created + timedelta(hours=rng.randrange(100)),
            )
        )
    # ...and enrolls them on its Open edX, under the learner's Open edX account; a few
    # enrollments never reached Open edX.
    key_of = {r["id"]: r["courseware_id"] for r in runs}
    on_edx = [
        (identities.xpro_openedx_user_of_app(e["user_id"]), key_of[e["run_id"]])
        for e in enrollments
        if rng.random() > 0.05
    ]
    openedx = _openedx_rows(
        rng,
        "xPRO",
        list(key_of.values()),
        users=identities.XPRO_USERS,
        grades=False,
        pairs=sorted(on_edx),
    )
    return {
        "courses_course": courses,
        "courses_courserun": runs,
        "courses_courserunenrollment": enrollments,
        **openedx,
    }


SAMPLES: dict[str, SampleDatabase] = {
    s.name: s
    for s in (
        SampleDatabase("bootcamps_app", bootcamps_md, _bootcamps),
        SampleDatabase("mitlearn_app", mitlearn_md, _mitlearn),
        SampleDatabase("mitxonline_openedx", mitxonline_openedx_md, _mitxonline_openedx),
        SampleDatabase("mitx_openedx", mitx_residential.metadata, mitx_residential.generate),
        SampleDatabase("micromasters_app", micromasters_md, _micromasters),
        SampleDatabase("ocw_studio_app", ocw_md, _ocw),
        SampleDatabase("xpro_app", xpro_md, _xpro),
        SampleDatabase("mitxonline_app", mitxonline_app.metadata, mitxonline_app.generate),
    )
}

# Extension modules declare their tables on the metadata above and register their rows.
from ol_platform.samples import extensions  # noqa: E402,F401
