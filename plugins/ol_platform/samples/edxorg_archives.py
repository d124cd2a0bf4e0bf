"""Generated edX.org research-export table dumps in a landing bucket.

edX.org delivers MITx's database tables as tab-separated dumps, one file per course run and
table, which land under ``edxorg-raw-data/edxorg/raw_data/db_table/<table>/prod/<run>/``.
This writes such dumps with fsspec, so the same code fills a local directory (``file://``)
or an S3 bucket. Course runs are the MITx Online sample's (shared keys across the sample
systems) plus a few runs that only ever ran on edX.org.

edX.org also delivers each course run's content as an Open edX course export (OLX, a .tar.gz),
under ``edxorg-raw-data/edxorg/raw_data/course_xml/<run>/``: here one per run, whose videos and
problems are the blocks the sample tracking logs play and answer.

Generation is deterministic for a seed and a day: day 2 adds a new course run and re-exports
a few runs with changed and new rows; :func:`write_day` writes only the files that differ
from what the bucket holds, as the daily export drop does.
"""

from __future__ import annotations

import json
import posixpath
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec

from ol_platform.samples.mitxonline_app import FIRST, LAST, course_run_keys

PREFIX = "edxorg-raw-data/edxorg/raw_data/db_table"
COURSE_XML_PREFIX = "edxorg-raw-data/edxorg/raw_data/course_xml"
ORG = "MITx"
COLUMNS: dict[str, tuple[str, ...]] = {
    "auth_user": (
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "is_superuser",
        "last_login",
        "date_joined",
    ),
    "student_courseenrollment": ("id", "user_id", "course_id", "created", "is_active", "mode"),
    "courseware_studentmodule": (
        "id",
        "module_type",
        "module_id",
        "student_id",
        "state",
        "grade",
        "created",
        "modified",
        "max_grade",
        "done",
        "course_id",
    ),
}
TABLES = tuple(COLUMNS)
# MITx runs that were only ever offered on edX.org, not on MITx Online.
EDXORG_ONLY = [("6.00.1x", "2T2023"), ("6.00.2x", "3T2023"), ("18.01.1x", "1T2024")]
# Day 2: a run whose first export arrives, and how many existing runs are re-exported.
NEW_ON_DAY_2 = ("6.00.1x", "1T2025")
REEXPORTED_ON_DAY_2 = 2
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SampleSize:
    shared_runs: int | None = None  # None: every MITx Online run
    learners_per_run: int = 25
    users: int = 500


def course_id(number: str, run: str) -> str:
    return f"course-v1:{ORG}+{number}+{run}"


def run_directory(number: str, run: str) -> str:
    """The per-run folder name of an export: ``<org>-<number>-<run>``."""
    return f"{ORG}-{number}-{run}"


def course_runs(size: SampleSize, day: int = 1) -> list[tuple[str, str]]:
    shared = course_run_keys()[: size.shared_runs]
    return shared + EDXORG_ONLY + ([NEW_ON_DAY_2] if day >= 2 else [])


def table_path(table: str, number: str, run: str) -> str:
    folder = run_directory(number, run)
    return f"{PREFIX}/{table}/prod/{folder}/{folder}-{table}-prod-analytics.tsv"


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _user(seed: int, uid: int, day: int, touched: bool) -> dict[str, Any]:
    rng = random.Random(f"{seed}:user:{uid}")
    first, last = rng.choice(FIRST), rng.choice(LAST)
    joined = EPOCH + timedelta(seconds=rng.randrange(400 * 86400))
    login = joined + timedelta(days=rng.randrange(1, 90))
    if touched:  # the learner logged in again since the previous export
        login = EPOCH + timedelta(days=800 + day)
    return {
        "id": uid,
        "username": f"{first.lower()}{last.lower()}{uid}",
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{last.lower()}{uid}@example.org",
        "is_staff": 0,
        "is_active": int(rng.random() > 0.03),
        "is_superuser": 0,
        "last_login": _stamp(login) if rng.random() > 0.1 else None,
        "date_joined": _stamp(joined),
    }


def _run_rows(
    seed: int, size: SampleSize, index: int, number: str, run: str, day: int, reexported: bool
) -> dict[str, list[dict[str, Any]]]:
    """One run's three tables; a re-exported run on day 2 has changes and new learners."""
    rng = random.Random(f"{seed}:run:{number}:{run}")
    key = course_id(number, run)
    learners = sorted(rng.sample(range(1, size.users + 1), k=size.learners_per_run))
    changed = reexported and day >= 2
    if changed:  # new learners get ids above the shared pool, unique per run
        learners += [size.users + index * 10 + k for k in range(1, 4)]
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for n, uid in enumerate(learners):
        rows["auth_user"].append(_user(seed, uid, day, touched=changed and n == 0))
        eid = index * 1000 + n + 1
        mode = "verified" if rng.random() < 0.25 or (changed and n < 2) else "audit"
        created = EPOCH + timedelta(seconds=rng.randrange(500 * 86400))
        rows["student_courseenrollment"].append(
            {
                "id": eid,
                "user_id": uid,
                "course_id": key,
                "created": _stamp(created),
                "is_active": int(rng.random() > 0.08),
                "mode": mode,
            }
        )
        for p in range(2):
            attempts = rng.randrange(1, 4) + (1 if changed and n < 3 else 0)
            grade = min(attempts, 3)
            rows["courseware_studentmodule"].append(
                {
                    "id": eid * 10 + p,
                    "module_type": "problem",
                    "module_id": f"block-v1:{ORG}+{number}+{run}+type@problem+block@p{p}",
                    "student_id": uid,
                    # JSON with quotes: TSV dumps are not quoted, the reader must not unquote.
                    "state": json.dumps({"attempts": attempts, "done": True}),
                    "grade": float(grade),
                    "created": _stamp(created + timedelta(days=1)),
                    "modified": _stamp(created + timedelta(days=1 + attempts)),
                    "max_grade": 3.0,
                    "done": "na",
                    "course_id": key,
                }
            )
    return rows


def learner_rows(
    seed: int = 7, size: SampleSize | None = None, day: int = 1
) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
    """Every run's rows of ``day``, by (course number, run tag): what the dumps hold. Other
    edX.org exports (IRx BigQuery) are generated from these, so they share the learners."""
    size = size or SampleSize()
    first_day = course_runs(size, 1)
    reexported = set(random.Random(f"{seed}:reexport").sample(first_day, REEXPORTED_ON_DAY_2))
    return {
        (number, run): _run_rows(seed, size, index, number, run, day, (number, run) in reexported)
        for index, (number, run) in enumerate(course_runs(size, day), start=1)
    }


def _tsv(table: str, rows: list[dict[str, Any]]) -> str:
    """edX's dump format: a header line, tab-separated values, NULL for a null."""
    columns = COLUMNS[table]
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join("NULL" if row[c] is None else str(row[c]) for c in columns))
    return "\n".join(lines) + "\n"


def dumps(seed: int = 7, size: SampleSize | None = None, day: int = 1) -> dict[str, str]:
    """Every dump file of ``day`` as {path in the bucket: TSV text}."""
    # Re-exported runs are drawn among the runs that already existed on day 1.
    files = {}
    for (number, run), rows in learner_rows(seed, size, day).items():
        for table in TABLES:
            files[table_path(table, number, run)] = _tsv(table, rows[table])
    return files


def course_xml_path(number: str, run: str) -> str:
    folder = run_directory(number, run)
    return f"{COURSE_XML_PREFIX}/{folder}/{folder}-course.tar.gz"


def course_archives(size: SampleSize | None = None, day: int = 1) -> dict[str, bytes]:
    """Every course export of ``day`` as {path in the bucket: .tar.gz bytes}."""
    # Imported here: the tracking-log sample reads this module's course runs.
    from ol_platform.samples.tracking_logs import problem_ids, video_ids
    from ol_platform.simulators.studio import Course, course_archive

    archives = {}
    for number, run in course_runs(size or SampleSize(), day):
        key = course_id(number, run)
        course = Course(
            course_id=key,
            name=f"{ORG} {number}",
            videos=tuple(video_ids(key)),
            problems=tuple(problem_ids(key)),
        )
        archives[course_xml_path(number, run)] = course_archive(course)
    return archives


def write_day(
    bucket_url: str,
    storage_options: dict[str, Any] | None = None,
    *,
    day: int = 1,
    seed: int = 7,
    size: SampleSize | None = None,
) -> dict[str, int]:
    """Write the dumps of ``day`` that the bucket does not hold as they are; {path: data rows}.

    A file already there unchanged is left alone, keeping its modification date, so writing
    the same day twice (a second demo) gives the loader nothing new to read.
    """
    fs, root = fsspec.core.url_to_fs(bucket_url, **(storage_options or {}))
    fs.makedirs(root, exist_ok=True)  # creates the bucket on S3
    written = {}
    files = {path: text.encode() for path, text in dumps(seed, size, day).items()}
    for path, data in {**files, **course_archives(size, day)}.items():
        target = posixpath.join(root, path)
        if fs.exists(target) and fs.cat_file(target) == data:
            continue
        fs.makedirs(posixpath.dirname(target), exist_ok=True)
        with fs.open(target, "wb") as f:
            f.write(data)
        # Rows of a dump; a course export counts as one file.
        written[path] = data.count(b"\n") - 1 if path in files else 1
    return written


def rows_by_table(written: dict[str, int]) -> dict[str, int]:
    """Sum :func:`write_day`'s rows per dump table."""
    totals = dict.fromkeys(TABLES, 0)
    for path, rows in written.items():
        if path.startswith(f"{PREFIX}/"):  # not the course exports
            totals[path.removeprefix(f"{PREFIX}/").split("/", 1)[0]] += rows
    return totals


def build_local(directory: Path, seed: int = 7, size: SampleSize | None = None) -> dict[str, int]:
    """Fill a local directory as the landing bucket with day 1; rows per table."""
    return rows_by_table(write_day(directory.resolve().as_uri(), day=1, seed=seed, size=size))
