"""Generated edX.org exports that are not database dumps: IRx's BigQuery tables (person-course,
user info, courses, email opt-in) and edX.org's S3 reports (discovery courses and runs,
programs, the program learner report).

They describe the same learners and runs as the edX.org archives (``edxorg_archives``, day 1):
same edX.org user ids, usernames and emails, same course numbers and run tags (shared with the
other sample systems). As in the real exports, they overlap the archives without matching
them exactly: IRx lacks some archive enrollments, holds a few the archives lack, sometimes a
stale enrollment mode, and also carries MITx Online rows (org ``MITxT``) that are not edX.org's.
IRx names runs the legacy way (``MITx/6.00.1x/2T2023``), the archives and the discovery
reports ``course-v1:MITx+6.00.1x+2T2023``.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ol_platform.samples import edxorg_archives
from ol_platform.samples.app_databases import PROGRAMS
from ol_platform.samples.mitxonline_app import SUBJECTS, course_run_keys

Records = dict[str, list[dict[str, Any]]]
ORG = edxorg_archives.ORG
TITLES = {
    **dict(SUBJECTS),
    "6.00.1x": "Introduction to Computer Science and Programming Using Python",
    "6.00.2x": "Introduction to Computational Thinking and Data Science",
    "18.01.1x": "Calculus 1A: Differentiation",
}
# An XSeries of edX.org-only courses, and another institution's program the MITx filter drops.
XSERIES = ("Computational Thinking using Python", ["6.00.1x", "6.00.2x"])
OTHER_ORG_PROGRAM = ("Data Science", "HarvardX")
# IRx-only learners (missing from the archives) take ids above the archives' pool.
IRX_ONLY_USER_BASE = 5000
COUNTRIES = ["US", "IN", "BR", "NG", "FR", "CN", "Mexico", ""]
EDUCATION = ["p", "m", "b", "a", "hs", "jhs", "none", ""]


def legacy_course_id(org: str, number: str, run: str) -> str:
    """IRx's course id form: ``{org}/{number}/{run}``."""
    return f"{org}/{number}/{run}"


def run_start(run: str) -> datetime:
    """Runs start in January, May or September of the run tag's year (1T/2T/3T)."""
    return datetime(int(run[2:]), 1 + 4 * (int(run[0]) - 1), 10, 15, tzinfo=UTC)


def _uuid(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _stamp(value: datetime | None) -> str:
    """The learner report's text timestamps: ``2024-01-10 15:00:00 Z``, ``null`` when absent."""
    return value.strftime("%Y-%m-%d %H:%M:%S Z") if value else "null"


def _archive_users(
    runs: dict[tuple[str, str], dict[str, list[dict]]],
) -> dict[int, dict[str, Any]]:
    return {u["id"]: u for rows in runs.values() for u in rows["auth_user"]}


def _person(rng: random.Random, user: dict, course_id: str, mode: str, created: datetime) -> dict:
    """One IRx person-course row (the columns the warehouse reads)."""
    grade = round(rng.random(), 2)
    completed = grade >= 0.6
    certified = completed and mode == "verified"
    nevents = rng.randrange(0, 3000)
    return {
        "course_id": course_id,
        "user_id": user["id"],
        "username": user["username"],
        "registered": True,
        "viewed": nevents > 0,
        "explored": nevents > 800,
        "completed": completed,
        "certified": certified,
        "mode": mode,
        "is_active": 1 if rng.random() > 0.08 else 0,
        "start_time": created,
        "verified_enroll_time": created + timedelta(days=3) if mode == "verified" else None,
        "verified_unenroll_time": (
            created + timedelta(days=10) if mode == "verified" and rng.random() < 0.05 else None
        ),
        "grade": grade,
        "passing_grade": 0.6,
        "cert_status": "downloadable" if certified else "notpassing",
        "cert_created_date": created + timedelta(days=100) if certified else None,
        "cert_modified_date": created + timedelta(days=101) if certified else None,
        "loe": rng.choice(EDUCATION),
        "yob": rng.randrange(1950, 2006),
        "gender": rng.choice(["m", "f", "o", ""]),
        "profile_country": rng.choice(COUNTRIES),
        "nevents": nevents,
        "ndays_act": nevents // 40,
        "nplay_video": nevents // 6,
        "nchapters": rng.randrange(0, 12),
        "nforum_posts": rng.randrange(0, 5),
        "nprogcheck": rng.randrange(0, 20),
        "nproblem_check": nevents // 10,
        "nshow_answer": rng.randrange(0, 30),
        "ntranscript": rng.randrange(0, 10),
        "nseq_goto": rng.randrange(0, 100),
        "nseek_video": rng.randrange(0, 60),
        "npause_video": rng.randrange(0, 120),
        "nvideo": nevents // 4,
        "nvideos_unique_viewed": rng.randrange(0, 40),
        "nvideos_total_watched": round(rng.random(), 3),
        "avg_dt": round(rng.uniform(5, 120), 1),
        "sdv_dt": round(rng.uniform(1, 60), 1),
        "max_dt": round(rng.uniform(100, 1800), 1),
        "n_dt": nevents,
        "sum_dt": round(nevents * rng.uniform(5, 60), 1),
        "first_event": created + timedelta(hours=2) if nevents else None,
        "last_event": created + timedelta(days=rng.randrange(1, 120)) if nevents else None,
    }


def _user_info(rng: random.Random, user: dict, person: dict, created: datetime) -> dict:
    """One IRx user-info row: the learner's profile, one enrollment and its certificate."""
    certified = person["certified"]
    name = f"{user['first_name']} {user['last_name']}"
    run_key = person["course_id"]
    return {
        "user_id": user["id"],
        "username": user["username"],
        "email": user["email"],
        "id_map_hash_id": _uuid("idmap", user["id"]),
        "is_staff": 0,
        "profile_name": name,
        "profile_language": "en",
        "profile_location": "",
        "profile_mailing_address": f"{user['id']} Main Street" if rng.random() > 0.7 else None,
        "profile_goals": "Learn something new" if rng.random() > 0.5 else None,
        "profile_gender": person["gender"],
        "profile_country": person["profile_country"],
        "profile_city": rng.choice(["Boston", "Lagos", "Pune", "Lyon", None]),
        "profile_level_of_education": person["loe"],
        "profile_year_of_birth": person["yob"],
        "profile_meta": json.dumps({"session_id": None}),
        "profile_allow_certificate": 1,
        "date_joined": datetime.fromisoformat(user["date_joined"]).replace(tzinfo=UTC),
        "last_login": (
            datetime.fromisoformat(user["last_login"]).replace(tzinfo=UTC)
            if user["last_login"]
            else None
        ),
        "enrollment_course_id": person["course_id"],
        "enrollment_mode": person["mode"],
        "enrollment_created": created,
        "enrollment_is_active": bool(person["is_active"]),
        "certificate_id": rng.randrange(10**6, 10**7) if certified else None,
        "certificate_course_id": person["course_id"] if certified else None,
        "certificate_user_id": user["id"] if certified else None,
        "certificate_mode": person["mode"] if certified else None,
        "certificate_distinction": False if certified else None,
        "certificate_created_date": person["cert_created_date"],
        "certificate_modified_date": person["cert_modified_date"],
        "certificate_name": name if certified else None,
        "certificate_key": _uuid("key", user["id"], person["course_id"]) if certified else None,
        "certificate_status": "downloadable" if certified else None,
        "certificate_download_url": (
            f"https://courses.edx.org/certificates/{_uuid('dl', user['id'], person['course_id'])}"
            if certified
            else None
        ),
        "certificate_download_uuid": _uuid("dl", user["id"], run_key) if certified else None,
        "certificate_verify_uuid": _uuid("vf", user["id"], run_key) if certified else None,
        "certificate_grade": str(person["grade"]) if certified else None,
    }


def _irx_learners(seed: int, archive: dict) -> tuple[list[dict], list[dict]]:
    """(person_course, user_info_combo) rows of edX.org learners."""
    rng = random.Random(f"{seed}:irx")
    users = _archive_users(archive)
    pool = sorted(users)
    persons, infos = [], []
    for (number, run), rows in archive.items():
        course_id = legacy_course_id(ORG, number, run)
        enrolled = {e["user_id"]: e for e in rows["student_courseenrollment"]}
        for uid, enrollment in enrolled.items():
            if rng.random() < 0.1:  # not (yet) in the IRx export
                continue
            mode = enrollment["mode"]
            if mode == "verified" and rng.random() < 0.2:  # upgraded after IRx's snapshot
                mode = "audit"
            created = datetime.fromisoformat(enrollment["created"]).replace(tzinfo=UTC)
            person = _person(rng, users[uid], course_id, mode, created)
            persons.append(person)
            infos.append(_user_info(rng, users[uid], person, created))
        # Enrollments the archives lack: archive learners of other runs, and new learners.
        extra = [u for u in rng.sample(pool, 2) if u not in enrolled]
        new_uid = IRX_ONLY_USER_BASE + len(persons)
        new_user = {
            "id": new_uid,
            "username": f"irxlearner{new_uid}",
            "email": f"irx.learner{new_uid}@example.org",
            "first_name": "Kofi",
            "last_name": "Okafor",
            "date_joined": "2024-02-01 10:00:00",
            "last_login": None,
        }
        users[new_uid] = new_user
        for uid in [*extra, new_uid]:
            created = run_start(run) - timedelta(days=rng.randrange(1, 60))
            person = _person(rng, users[uid], course_id, rng.choice(["audit", "verified"]), created)
            persons.append(person)
            infos.append(_user_info(rng, users[uid], person, created))
    return persons, infos


def _mitxonline_rows(seed: int) -> tuple[list[dict], list[dict]]:
    """IRx also exports MITx Online learners (org MITxT): not edX.org's, dropped downstream."""
    rng = random.Random(f"{seed}:irx:mitxonline")
    persons, infos = [], []
    for i, (number, run) in enumerate(course_run_keys()[:10]):
        user = {
            "id": 900000 + i,
            "username": f"mitxonline{i}",
            "email": f"mitxonline{i}@example.org",
            "first_name": "Ana",
            "last_name": "Ito",
            "date_joined": "2023-03-01 10:00:00",
            "last_login": None,
        }
        created = run_start(run)
        person = _person(rng, user, legacy_course_id("MITxT", number, run), "audit", created)
        persons.append(person)
        infos.append(_user_info(rng, user, person, created))
    return persons, infos


def _irx_courses(runs: list[tuple[str, str]]) -> list[dict]:
    """IRx's course list: every edX.org run but the first (the discovery reports name it)."""
    rows = []
    for org, keys in ((ORG, runs[1:]), ("MITxT", course_run_keys()[:3])):
        for number, run in keys:
            start = run_start(run)
            rows.append(
                {
                    "course_id": legacy_course_id(org, number, run),
                    "course_title": TITLES[number],
                    "url": f"https://www.edx.org/course/{number.lower()}",
                    "course_number": number,
                    "semester": f"{['Spring', 'Summer', 'Fall'][int(run[0]) - 1]} {run[2:]}",
                    "course_launch": start.date(),
                    "course_wrap": (start + timedelta(days=98)).date(),
                    "registration_open": (start - timedelta(days=60)).date(),
                    "institution": org,
                    "instructors": "Staff",
                    "self_paced": int(number.startswith("6.00")),
                    "department": "Economics" if number.startswith("14") else None,
                    "dept_number": number.split(".")[0] if "." in number else None,
                    "content_type": "Course",
                }
            )
    return rows


def _discovery(runs: list[tuple[str, str]]) -> tuple[list[dict], list[dict]]:
    """edX.org discovery courses and runs: every edX.org run but the last (IRx names it)."""
    modified = datetime(2025, 1, 5, tzinfo=UTC)
    courses = [
        {
            "course_key": f"{ORG}+{number}",
            "title": TITLES[number],
            "short_description": f"An MITx course: {TITLES[number]}.",
            "full_description": f"<p>{TITLES[number]}, taught by MIT faculty.</p>",
            "level_type": "Intermediate",
            "course_type": "verified-audit",
            "owner": ORG,
            "marketing_url": f"https://www.edx.org/learn/mitx-{number.lower()}",
            "image": json.dumps({"url": f"https://prod-discovery.edx-cdn.org/{number}.jpg"}),
            "subjects": json.dumps([{"name": "Economics" if number[:2] == "14" else "Science"}]),
            "prerequisites_raw": "Calculus" if number.startswith("18") else "",
            "modified": modified,
        }
        for number in sorted({n for n, _ in runs})
    ]
    course_runs = []
    for number, run in runs[:-1]:
        start = run_start(run)
        self_paced = number.startswith("6.00")
        course_runs.append(
            {
                "run_key": edxorg_archives.course_id(number, run),
                "course_key": f"{ORG}+{number}",
                "title": TITLES[number],
                "short_description": f"An MITx course: {TITLES[number]}.",
                "full_description": f"<p>{TITLES[number]}, run {run}.</p>",
                "level_type": "Intermediate",
                "marketing_url": f"https://www.edx.org/learn/mitx-{number.lower()}?run={run}",
                "languages": "en-us",
                "image": json.dumps({"url": f"https://prod-discovery.edx-cdn.org/{number}.jpg"}),
                "pacing_type": "self_paced" if self_paced else "instructor_paced",
                "enrollment_type": "verified",
                "is_enrollable": run >= "1T2024",
                "availability": "Archived" if start.year < 2025 else "Upcoming",
                "status": "published",
                "seats": json.dumps([{"type": "verified", "price": "49.00", "currency": "USD"}]),
                "staff": json.dumps([{"first_name": "Jane", "last_name": "Doe"}]),
                "weeks_to_complete": 14,
                "min_effort": 6,
                "max_effort": 9,
                "estimated_hours": 100,
                "start_on": start,
                "end_on": start + timedelta(days=98),
                "enrollment_start": start - timedelta(days=60),
                "enrollment_end": start + timedelta(days=70),
                "announcement": start - timedelta(days=90),
                "modified": modified,
            }
        )
    return courses, course_runs


def _programs() -> list[dict]:
    programs = [(title, "MicroMasters", ORG) for title, _ in PROGRAMS.values()]
    programs += [(XSERIES[0], "XSeries", ORG), (OTHER_ORG_PROGRAM[0], "XSeries", "HarvardX")]
    return [
        {
            "uuid": _uuid("program", title, org),
            "title": title,
            "subtitle": f"{title}: a {kind} program on edX.org",
            "type": kind,
            "status": "active",
            "authoring_organizations": org,
            "data_modified_timestamp": "2025-01-05T00:00:00Z",
        }
        for title, kind, org in programs
    ]


def _learner_report(seed: int, archive: dict, persons: list[dict]) -> list[dict]:
    """Program learners: one row per (learner, program course run) of MITx programs."""
    rng = random.Random(f"{seed}:program_learners")
    users = _archive_users(archive)
    programs = [(title, "MicroMasters", numbers) for title, numbers in PROGRAMS.values()]
    programs.append((XSERIES[0], "XSeries", XSERIES[1]))
    person_by_key = {(p["user_id"], p["course_id"]): p for p in persons}
    rows = []
    for title, kind, numbers in programs:
        uuid = _uuid("program", title, ORG)
        taken: dict[int, list[tuple[tuple[str, str], dict]]] = {}
        for (number, run), run_rows in archive.items():
            if number not in numbers:
                continue
            for e in run_rows["student_courseenrollment"]:
                taken.setdefault(e["user_id"], []).append(((number, run), e))
        for uid, enrollments in sorted(taken.items()):
            person_rows = [
                person_by_key.get((uid, legacy_course_id(ORG, *key))) for key, _ in enrollments
            ]
            passed = [p for p in person_rows if p and p["completed"]]
            completed_program = len({p["course_id"].split("/")[1] for p in passed}) >= 2
            awarded = max((p["start_time"] for p in passed), default=None)
            for (key, enrollment), person in zip(enrollments, person_rows, strict=True):
                first = datetime.fromisoformat(enrollment["created"]).replace(tzinfo=UTC)
                completed = bool(person and person["completed"])
                rows.append(
                    {
                        "authoring_institution": ORG,
                        "program_type": kind,
                        "program_uuid": uuid,
                        "program_title": title,
                        "user_id": uid,
                        "username": users[uid]["username"],
                        "name": f"{users[uid]['first_name']} {users[uid]['last_name']}",
                        "user_roles": "null",
                        "course_run_key": edxorg_archives.course_id(*key),
                        "course_title": TITLES[key[0]],
                        "track": enrollment["mode"],
                        "letter_grade": "Pass" if completed else "null",
                        "grade": str(person["grade"]) if person else "null",
                        "currently_enrolled": str(bool(enrollment["is_active"])).lower(),
                        "purchased_as_bundle": str(rng.random() < 0.1).lower(),
                        "completed": str(completed).lower(),
                        "completed_program": str(completed_program).lower(),
                        "date_completed": _stamp(
                            first + timedelta(days=100) if completed else None
                        ),
                        "date_program_certificate_awarded": _stamp(
                            awarded + timedelta(days=120) if completed_program and awarded else None
                        ),
                        "last_activity_date": (first + timedelta(days=30)).date().isoformat(),
                        "date_first_enrolled": _stamp(first),
                        "date_last_unenrolled": _stamp(
                            None if enrollment["is_active"] else first + timedelta(days=20)
                        ),
                        "date_first_upgraded_to_verified": _stamp(
                            first + timedelta(days=3) if enrollment["mode"] == "verified" else None
                        ),
                        "course_run_start_date": _stamp(run_start(key[1])),
                    }
                )
    return rows


def generate(seed: int = 7) -> Records:
    """Every table of the IRx / edX.org S3 exports, keyed by registry entity."""
    archive = edxorg_archives.learner_rows(seed)
    runs = list(archive)
    persons, infos = _irx_learners(seed, archive)
    other_persons, other_infos = _mitxonline_rows(seed)
    rng = random.Random(f"{seed}:opt_in")
    opt_in = [
        {
            "course_id": p["course_id"],
            "user_id": i["user_id"],
            "username": i["username"],
            "email": i["email"],
            "full_name": i["profile_name"],
            "is_opted_in_for_email": rng.random() > 0.4,
            "preference_set_datetime": p["start_time"],
        }
        for p, i in list(zip(persons, infos, strict=True))[::3]
    ]
    courses, course_runs = _discovery(runs)
    return {
        "mitx_user_info_combo": infos + other_infos,
        "mitx_person_course": persons + other_persons,
        "mitx_course": _irx_courses(runs),
        "email_opt_in": opt_in,
        "edxorg_mitx_course": courses,
        "edxorg_mitx_course_run": course_runs,
        "edxorg_program": _programs(),
        "edxorg_program_learner_report": _learner_report(seed, archive, persons),
    }
