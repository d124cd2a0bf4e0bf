"""Programs, program enrollments, course-run grades and certificates of the sample apps.

MITx Online, xPRO, MicroMasters and Bootcamps each get the tables their applications keep for
programs and credentials, generated from the rows already in their sample (users, course
runs, enrollments), so every grade is an enrollment's grade and every certificate is a passing
grade's:

- a course-run grade exists for enrollments in runs that have started; ``passed`` follows
  the grade against a 0.6 cut-off;
- a course-run certificate exists for most passing grades, a few of them revoked;
- a program certificate exists when the learner holds non-revoked certificates for every
  required course of the program and for enough of its electives (the same rule the dbt
  layer uses to derive MicroMasters program certificates, which the app does not store).

The MITx Online and MicroMasters programs are the same three MicroMasters programs (same
titles and course numbers), so the warehouse can tie a MicroMasters program to its MITx
Online namesake.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples import mitxonline_app
from ol_platform.samples.app_databases import (
    PROGRAMS as MICROMASTERS_PROGRAMS,
)
from ol_platform.samples.app_databases import (
    bootcamps_md,
    extends,
    micromasters_md,
    xpro_md,
)
from ol_platform.samples.schema import (
    STAMPS,
    ColumnSpec,
    Rows,
    catalog_table,
    col,
    enrollment_table,
    pk,
    table,
)

PASSING = 0.6
REVOKED_SHARE = 0.04


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def naive_time(value: datetime) -> datetime:
    """``value`` as the app databases store it: no zone, whole seconds."""
    return value.replace(microsecond=0, tzinfo=None)


def _certificate_table(
    md: sa.MetaData, name: str, target: str, *extra: ColumnSpec, with_issue_date: bool = False
) -> sa.Table:
    """A certificate of ``target`` (a run or a program); ``extra`` columns precede the
    revocation flag, the issue date (MITx Online only) follows the stamps."""
    return table(
        md,
        name,
        ("uuid", sa.String(36)),
        (target, sa.Integer),
        ("user_id", sa.Integer),
        *extra,
        ("is_revoked", sa.Boolean),
        *STAMPS,
        *([("issue_date", sa.DateTime)] if with_issue_date else []),
    )


def _grade_tables(md: sa.MetaData, with_issue_date: bool) -> None:
    """courses_courserungrade / courseruncertificate / programcertificate (MITx Online, xPRO)."""
    table(
        md,
        "courses_courserungrade",
        ("course_run_id", sa.Integer),
        ("user_id", sa.Integer),
        ("grade", sa.Float),
        ("letter_grade", sa.String(6)),
        ("passed", sa.Boolean),
        ("set_by_admin", sa.Boolean),
        *STAMPS,
    )
    revision = ("certificate_page_revision_id", sa.Integer)
    for name, target in (
        ("courses_courseruncertificate", "course_run_id"),
        ("courses_programcertificate", "program_id"),
    ):
        _certificate_table(md, name, target, revision, with_issue_date=with_issue_date)


def _program_page_table(md: sa.MetaData, *extra: sa.Column) -> sa.Table:
    """A program's CMS page (a Wagtail page subclass: keyed by its page's id)."""
    return sa.Table(
        "cms_programpage",
        md,
        pk("page_ptr_id"),
        col("program_id", sa.Integer),
        col("description", sa.Text),
        *extra,
    )


# --- MITx Online ------------------------------------------------------------------------

mitxonline_md = mitxonline_app.metadata
catalog_table(
    mitxonline_md,
    "courses_program",
    ("program_type", sa.String(255)),
    ("availability", sa.String(255)),
)
table(
    mitxonline_md,
    "courses_programrequirement",
    ("program_id", sa.Integer),
    ("course_id", sa.Integer),
    ("path", sa.String(255)),
    ("depth", sa.Integer),
    ("numchild", sa.Integer),
    ("node_type", sa.String(50)),
    ("title", sa.String(255)),
    ("operator", sa.String(50)),
    ("operator_value", sa.String(100)),
)
enrollment_table(
    mitxonline_md, "courses_programenrollment", "program_id", ("enrollment_mode", sa.String(20))
)


def mitxonline_product_page_columns() -> list[sa.Column]:
    """What MITx Online's course and program CMS pages share (the app's product page)."""
    return [
        col("length", sa.String(50)),
        col("effort", sa.String(100)),
        col("price", sa.String(100)),
        col("prerequisites", sa.Text),
        col("what_you_learn", sa.Text),
    ]


def wagtail_page_table(md: sa.MetaData) -> sa.Table:
    """The Wagtail page behind each CMS page (tree path, publication dates, slug, url path)."""
    return table(
        md,
        "wagtailcore_page",
        ("path", sa.String(255)),
        ("depth", sa.Integer),
        ("numchild", sa.Integer),
        ("title", sa.String(255)),
        ("slug", sa.String(255)),
        ("live", sa.Boolean),
        ("has_unpublished_changes", sa.Boolean),
        ("url_path", sa.Text),
        ("content_type_id", sa.Integer),
        ("latest_revision_created_at", sa.DateTime),
        ("first_published_at", sa.DateTime),
        ("last_published_at", sa.DateTime),
    )


def wagtail_page_row(
    page_id: int,
    title: str,
    path: str,
    url_path: str,
    content_type_id: int,
    created: datetime,
    numchild: int = 0,
) -> dict:
    """A published Wagtail page: ``path`` is its treebeard path (4 characters a level)."""
    return dict(
        id=page_id,
        path=path,
        depth=len(path) // 4,
        numchild=numchild,
        title=title,
        slug=url_path.rstrip("/").rsplit("/", 1)[-1],
        live=True,
        has_unpublished_changes=False,
        url_path=url_path,
        content_type_id=content_type_id,
        latest_revision_created_at=created + timedelta(days=25),
        first_published_at=created,
        last_published_at=created + timedelta(days=25),
    )


_program_page_table(mitxonline_md, *mitxonline_product_page_columns())
wagtail_page_table(mitxonline_md)
_grade_tables(mitxonline_md, with_issue_date=True)

# (readable id, title, program type, required course numbers, elective numbers, electives
# needed). The MicroMasters programs carry their track after ': ' as the app titles them.
MITXONLINE_PROGRAMS = [
    (
        "program-v1:MITx+DEDP",
        "Data, Economics, and Design of Policy: International Development",
        "MicroMasters®",
        ["14.100x", "14.310x"],
        ["14.73x", "14.740x", "JPAL102x"],
        1,
    ),
    (
        "program-v1:MITx+SDS",
        "Statistics and Data Science: General Track",
        "MicroMasters®",
        ["6.86x", "18.6501x", "6.431x"],
        [],
        0,
    ),
    (
        "program-v1:MITx+SCM",
        "Supply Chain Management",
        "MicroMasters®",
        ["CTL.SC0x", "CTL.SC1x"],
        ["CTL.SC2x", "CTL.SC3x"],
        1,
    ),
    (
        "program-v1:MITx+FIN",
        "Finance Foundations",
        "Series",
        ["15.415x", "15.S08x"],
        [],
        0,
    ),
]


def _course_grades(
    rng: random.Random,
    enrollments: list[dict],
    run_of: dict[int, dict],
    now: datetime,
    with_issue_date: bool,
) -> tuple[list[dict], list[dict]]:
    """A grade for each enrollment in a started run; a certificate for most passing grades."""
    grades, certificates = [], []
    graded_pairs: set[tuple[int, int]] = set()  # the apps keep one grade per (user, run)
    for enrollment in enrollments:
        run = run_of[enrollment["run_id"]]
        pair = (enrollment["user_id"], run["id"])
        if run["start_date"] is None or run["start_date"] > now or pair in graded_pairs:
            continue
        graded_pairs.add(pair)
        grade = round(rng.betavariate(3, 2.2), 2)
        graded = naive_time(run["start_date"] + timedelta(days=rng.randrange(30, 110)))
        passed = grade >= PASSING
        grades.append(
            dict(
                id=len(grades) + 1,
                course_run_id=run["id"],
                user_id=enrollment["user_id"],
                grade=grade,
                letter_grade="P" if passed else "F",
                passed=passed,
                set_by_admin=rng.random() < 0.02,
                created_on=graded,
                updated_on=graded + timedelta(days=rng.randrange(0, 20)),
            )
        )
        if passed and rng.random() < 0.9:
            issued = graded + timedelta(days=rng.randrange(1, 15))
            certificate = dict(
                id=len(certificates) + 1,
                uuid=_uuid(rng),
                course_run_id=run["id"],
                user_id=enrollment["user_id"],
                certificate_page_revision_id=100 + run["course_id"],
                is_revoked=rng.random() < REVOKED_SHARE,
                created_on=issued,
                updated_on=issued + timedelta(days=rng.randrange(0, 5)),
            )
            if with_issue_date:
                certificate["issue_date"] = issued
            certificates.append(certificate)
    return grades, certificates


def _program_certificates(
    rng: random.Random,
    programs: list[tuple[int, set[int], set[int], int]],
    certificates: list[dict],
    course_of_run: dict[int, int],
    with_issue_date: bool,
) -> list[dict]:
    """Learners whose non-revoked course certificates satisfy a program's requirements."""
    earned: dict[int, dict[int, datetime]] = defaultdict(dict)
    for c in certificates:
        if not c["is_revoked"]:
            course = course_of_run[c["course_run_id"]]
            previous = earned[c["user_id"]].get(course)
            earned[c["user_id"]][course] = min(previous or c["created_on"], c["created_on"])
    rows = []
    for program_id, required, electives, electives_needed in programs:
        for user_id in sorted(earned):
            courses = earned[user_id]
            if not required <= set(courses) or len(electives & set(courses)) < electives_needed:
                continue
            issued = max(courses[c] for c in required | (electives & set(courses)))
            issued += timedelta(days=rng.randrange(1, 10))
            row = dict(
                id=len(rows) + 1,
                uuid=_uuid(rng),
                program_id=program_id,
                user_id=user_id,
                certificate_page_revision_id=200 + program_id,
                is_revoked=rng.random() < REVOKED_SHARE,
                created_on=issued,
                updated_on=issued,
            )
            if with_issue_date:
                row["issue_date"] = issued
            rows.append(row)
    return rows


def _program_enrollments(
    rng: random.Random,
    program_courses: dict[int, set[int]],
    enrollments: list[dict],
    course_of_run: dict[int, int],
    extra: dict[str, object],
) -> list[dict]:
    """Learners enrolled in a run of a program's course enroll in the program too."""
    first: dict[tuple[int, int], datetime] = {}
    for e in enrollments:
        for program_id, courses in program_courses.items():
            if course_of_run[e["run_id"]] in courses:
                key = (e["user_id"], program_id)
                first[key] = min(first.get(key, e["created_on"]), e["created_on"])
    rows = []
    for (user_id, program_id), created in sorted(first.items()):
        enrolled = naive_time(created - timedelta(days=rng.randrange(0, 20)))
        unenrolled = rng.random() < 0.05
        rows.append(
            dict(
                id=len(rows) + 1,
                user_id=user_id,
                program_id=program_id,
                active=not unenrolled,
                change_status="unenrolled" if unenrolled else None,
                created_on=enrolled,
                updated_on=enrolled + timedelta(days=rng.randrange(0, 30)),
                **extra,
            )
        )
    return rows


@extends("mitxonline_app")
def _mitxonline(data: Rows, rng: random.Random) -> Rows:
    course_id = {c["readable_id"].split("+")[1]: c["id"] for c in data["courses_course"]}
    run_of = {r["id"]: r for r in data["courses_courserun"]}
    course_of_run = {r["id"]: r["course_id"] for r in data["courses_courserun"]}
    now = max(e["created_on"] for e in data["courses_courserunenrollment"])
    programs, requirements, pages, wagtail_pages = [], [], [], []
    requirement_sets = []
    for pid, (readable_id, title, kind, required, electives, needed) in enumerate(
        MITXONLINE_PROGRAMS, 1
    ):
        created = datetime(2022, 3, pid)
        programs.append(
            dict(
                id=pid,
                title=title,
                readable_id=readable_id,
                live=True,
                program_type=kind,
                availability="anytime" if kind == "Series" else "dated",
                created_on=created,
                updated_on=created + timedelta(days=30 * pid),
            )
        )
        pages.append(
            dict(
                page_ptr_id=500 + pid,
                program_id=pid,
                description=f"<p>{title}: a program of {len(required) + needed} courses.</p>",
                length=f"{len(required) + needed} courses",
                effort="10-14 hours per week",
                price="$1,500" if kind == "Series" else "$1,350 - $1,500",
                prerequisites="<p>High-school algebra.</p>",
                what_you_learn=f"<ul><li>The foundations of {title.split(':')[0]}</li></ul>",
            )
        )
        slug = readable_id.split("+")[1].lower()
        wagtail_pages.append(
            wagtail_page_row(
                500 + pid,
                title,
                f"000100010002{pid:04d}",
                f"/home/programs/{slug}/",
                42,
                created + timedelta(days=5),
            )
        )
        # A treebeard tree: root -> operator nodes -> course leaves (path = 4 chars a level).
        root = f"{pid:04d}"
        groups = [("all_of", "Required Courses", required, None)]
        if electives:
            groups.append(("min_number_of", "Elective Courses", electives, str(needed)))
        requirements.append(
            dict(
                program_id=pid,
                course_id=None,
                path=root,
                depth=1,
                numchild=len(groups),
                node_type="program_root",
                title=None,
                operator=None,
                operator_value=None,
            )
        )
        for g, (operator, label, numbers, value) in enumerate(groups, 1):
            node = f"{root}{g:04d}"
            requirements.append(
                dict(
                    program_id=pid,
                    course_id=None,
                    path=node,
                    depth=2,
                    numchild=len(numbers),
                    node_type="operator",
                    title=label,
                    operator=operator,
                    operator_value=value,
                )
            )
            for c, number in enumerate(numbers, 1):
                requirements.append(
                    dict(
                        program_id=pid,
                        course_id=course_id[number],
                        path=f"{node}{c:04d}",
                        depth=3,
                        numchild=0,
                        node_type="course",
                        title=None,
                        operator=None,
                        operator_value=None,
                    )
                )
        requirement_sets.append(
            (pid, {course_id[n] for n in required}, {course_id[n] for n in electives}, needed)
        )
    for i, row in enumerate(requirements, 1):
        row["id"] = i
    grades, certificates = _course_grades(
        rng, data["courses_courserunenrollment"], run_of, now, with_issue_date=True
    )
    program_courses = {pid: req | ele for pid, req, ele, _ in requirement_sets}
    return {
        "courses_program": programs,
        "courses_programrequirement": requirements,
        "cms_programpage": pages,
        "wagtailcore_page": wagtail_pages,
        "courses_programenrollment": _program_enrollments(
            rng,
            program_courses,
            data["courses_courserunenrollment"],
            course_of_run,
            {"enrollment_mode": "audit"},
        ),
        "courses_courserungrade": grades,
        "courses_courseruncertificate": certificates,
        "courses_programcertificate": _program_certificates(
            rng, requirement_sets, certificates, course_of_run, with_issue_date=True
        ),
    }


# --- xPRO -------------------------------------------------------------------------------

table(xpro_md, "courses_platform", ("name", sa.String(255)))
catalog_table(xpro_md, "courses_program", ("is_external", sa.Boolean), ("platform_id", sa.Integer))
enrollment_table(
    xpro_md,
    "courses_programenrollment",
    "program_id",
    ("company_id", sa.Integer),
    ("order_id", sa.Integer),
)
_grade_tables(xpro_md, with_issue_date=False)

# (readable id, title, platform, external, course codes in program order)
XPRO_PROGRAMS = [
    ("program-v1:xPRO+SysEngx", "Architecture and Systems Engineering", 1, False,
     ["SysEngx", "VDAx"]),
    ("program-v1:xPRO+QCx", "Quantum Computing Fundamentals", 1, False, ["QCx", "CSx"]),
    ("program-v1:xPRO+EMLx", "Engineering Leadership (with Emeritus)", 2, True, []),
]  # fmt: skip


@extends("xpro_app")
def _xpro(data: Rows, rng: random.Random) -> Rows:
    course_id = {c["readable_id"].split("+")[1]: c["id"] for c in data["courses_course"]}
    run_of = {r["id"]: r for r in data["courses_courserun"]}
    course_of_run = {r["id"]: r["course_id"] for r in data["courses_courserun"]}
    now = max(e["created_on"] for e in data["courses_courserunenrollment"])
    programs, requirement_sets = [], []
    for pid, (readable_id, title, platform_id, external, codes) in enumerate(XPRO_PROGRAMS, 1):
        created = datetime(2022, 6, pid)
        programs.append(
            dict(
                id=pid,
                title=title,
                readable_id=readable_id,
                live=True,
                is_external=external,
                platform_id=platform_id,
                created_on=created,
                updated_on=created + timedelta(days=15),
            )
        )
        if codes:
            requirement_sets.append((pid, {course_id[c] for c in codes}, set(), 0))
    # The app keeps a course's program on the course: courses_course.program_id.
    program_of_course = {c: pid for pid, courses, _, _ in requirement_sets for c in courses}
    grades, certificates = _course_grades(
        rng, data["courses_courserunenrollment"], run_of, now, with_issue_date=False
    )
    return {
        "courses_platform": [
            dict(id=1, name="xPRO"),
            dict(id=2, name="Emeritus"),
            dict(id=3, name="Global Alumni"),
        ],
        "courses_program": programs,
        "courses_programenrollment": _program_enrollments(
            rng,
            {pid: courses for pid, courses, _, _ in requirement_sets},
            data["courses_courserunenrollment"],
            course_of_run,
            {"company_id": None, "order_id": None},
        ),
        "courses_course": [
            {**c, "program_id": program_of_course.get(c["id"])} for c in data["courses_course"]
        ],
        "courses_courserungrade": grades,
        "courses_courseruncertificate": certificates,
        "courses_programcertificate": _program_certificates(
            rng, requirement_sets, certificates, course_of_run, with_issue_date=False
        ),
    }


xpro_md.tables["courses_course"].append_column(sa.Column("program_id", sa.Integer))


# --- MicroMasters -----------------------------------------------------------------------

table(
    micromasters_md,
    "grades_finalgrade",
    ("user_id", sa.Integer),
    ("course_run_id", sa.Integer),
    ("grade", sa.Float),
    ("passed", sa.Boolean),
    ("status", sa.String(30)),
    ("course_run_paid_on_edx", sa.Boolean),
    *STAMPS,
)
table(
    micromasters_md,
    "grades_combinedfinalgrade",
    ("user_id", sa.Integer),
    ("course_id", sa.Integer),
    ("grade", sa.Float),
    *STAMPS,
)
table(
    micromasters_md,
    "grades_micromasterscoursecertificate",
    ("user_id", sa.Integer),
    ("course_id", sa.Integer),
    ("hash", sa.String(32)),
    *STAMPS,
)
table(
    micromasters_md,
    "courses_electivesset",
    ("program_id", sa.Integer),
    ("title", sa.String(255)),
    ("required_number", sa.Integer),
)
table(
    micromasters_md,
    "courses_electivecourse",
    ("course_id", sa.Integer),
    ("electives_set_id", sa.Integer),
)
_program_page_table(
    micromasters_md,
    col("faculty_description", sa.Text),
    col("title_over_image", sa.Text),
    col("program_home_page_url", sa.String(200)),
    col("title_program_home_page_url", sa.Text),
    col("program_contact_email", sa.String(254)),
    col("program_subscribe_link", sa.String(200)),
    col("thumbnail_image_id", sa.Integer),
    col("background_image_id", sa.Integer),
    col("program_letter_logo_id", sa.Integer),
)

# Elective courses of the MicroMasters programs (the others are required), as in MITx Online.
MICROMASTERS_ELECTIVES = {
    1: (["14.73x", "14.740x", "JPAL102x"], 1),
    3: (["CTL.SC2x", "CTL.SC3x"], 1),
}
MICROMASTERS_LEARNERS = 400


@extends("micromasters_app")
def _micromasters(data: Rows, rng: random.Random) -> Rows:
    # Learners are the app's accounts when a module generated them, else ids 1..400.
    learners = [u["id"] for u in data.get("auth_user", [])] or list(
        range(1, MICROMASTERS_LEARNERS + 1)
    )
    runs_of: dict[int, list[dict]] = defaultdict(list)
    for run in data["courses_courserun"]:
        runs_of[run["course_id"]].append(run)
    courses_of: dict[int, list[dict]] = defaultdict(list)
    for course in data["courses_course"]:
        courses_of[course["program_id"]].append(course)
    final, combined, certificates = [], [], []
    for user_id in learners:
        program_id = rng.choice(sorted(courses_of))
        for course in courses_of[program_id]:
            if rng.random() < 0.35 or not runs_of[course["id"]]:
                continue
            run = rng.choice(runs_of[course["id"]])
            grade = round(rng.betavariate(3.5, 2), 2)
            graded = naive_time(run["end_date"] + timedelta(days=rng.randrange(1, 10)))
            passed = grade >= run["passing_grade"]
            final.append(
                dict(
                    id=len(final) + 1,
                    user_id=user_id,
                    course_run_id=run["id"],
                    grade=grade,
                    passed=passed,
                    status="complete",
                    course_run_paid_on_edx=rng.random() < 0.6,
                    created_on=graded,
                    updated_on=graded,
                )
            )
            if not passed:
                continue
            # The combined grade weighs the course grade with the proctored exam's.
            exam = round(rng.uniform(0.4, 1.0), 2)
            combined_grade = round(0.4 * grade + 0.6 * exam, 3)
            combined.append(
                dict(
                    id=len(combined) + 1,
                    user_id=user_id,
                    course_id=course["id"],
                    grade=combined_grade,
                    created_on=graded + timedelta(days=40),
                    updated_on=graded + timedelta(days=40),
                )
            )
            if combined_grade >= 0.5:
                certificates.append(
                    dict(
                        id=len(certificates) + 1,
                        user_id=user_id,
                        course_id=course["id"],
                        hash=f"{rng.getrandbits(128):032x}",
                        created_on=graded + timedelta(days=45),
                        updated_on=graded + timedelta(days=45),
                    )
                )
    by_number = {c["edx_key"].split("+")[1]: c["id"] for c in data["courses_course"]}
    sets, electives = [], []
    for program_id, (numbers, needed) in MICROMASTERS_ELECTIVES.items():
        sets.append(
            dict(id=len(sets) + 1, program_id=program_id, title="Electives", required_number=needed)
        )
        for number in numbers:
            electives.append(
                dict(
                    id=len(electives) + 1,
                    course_id=by_number[number],
                    electives_set_id=sets[-1]["id"],
                )
            )
    pages = [
        dict(
            page_ptr_id=300 + pid,
            program_id=pid,
            description=f"<p>The MicroMasters program in {title}.</p>",
            faculty_description="<p>MIT faculty.</p>",
            title_over_image=title,
            program_home_page_url=f"https://micromasters.mit.edu/program-{pid}/",
            title_program_home_page_url="Program home",
            program_contact_email=f"program{pid}@mitx.mit.edu",
            program_subscribe_link=None,
            thumbnail_image_id=10 + pid,
            background_image_id=20 + pid,
            program_letter_logo_id=None,
        )
        for pid, (title, _) in MICROMASTERS_PROGRAMS.items()
    ]
    return {
        "grades_finalgrade": final,
        "grades_combinedfinalgrade": combined,
        "grades_micromasterscoursecertificate": certificates,
        "courses_electivesset": sets,
        "courses_electivecourse": electives,
        "cms_programpage": pages,
    }


# --- Bootcamps --------------------------------------------------------------------------

_certificate_table(bootcamps_md, "klasses_bootcampruncertificate", "bootcamp_run_id")


@extends("bootcamps_app")
def _bootcamps(data: Rows, rng: random.Random) -> Rows:
    """Learners of active enrollments in finished bootcamp runs mostly earn a certificate."""
    run_of = {r["id"]: r for r in data["klasses_bootcamprun"]}
    now = max(e["created_on"] for e in data["klasses_bootcamprunenrollment"])
    seen, rows = set(), []
    for e in data["klasses_bootcamprunenrollment"]:
        run = run_of[e["bootcamp_run_id"]]
        key = (e["user_id"], run["id"])
        if not e["active"] or run["end_date"] > now or key in seen or rng.random() > 0.8:
            continue
        seen.add(key)
        issued = naive_time(run["end_date"] + timedelta(days=rng.randrange(1, 20)))
        rows.append(
            dict(
                id=len(rows) + 1,
                uuid=_uuid(rng),
                bootcamp_run_id=run["id"],
                user_id=e["user_id"],
                is_revoked=rng.random() < REVOKED_SHARE,
                created_on=issued,
                updated_on=issued,
            )
        )
    return {"klasses_bootcampruncertificate": rows}
