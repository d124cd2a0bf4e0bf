"""A generated MITx Online application database (courses, runs, users, enrollments).

The same SQLAlchemy schema is created on SQLite (local mode), PostgreSQL and MariaDB (tests),
so the extraction code that reads it is the code that reads a real application database.
Generation is deterministic for a seed; :func:`apply_changes` simulates a day of activity
(updates and inserts with newer ``updated_on``) for incremental loads.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

metadata = sa.MetaData()

courses = sa.Table(
    "courses_course",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("readable_id", sa.String(255), nullable=False, unique=True),
    sa.Column("live", sa.Boolean, nullable=False),
    sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
)

course_runs = sa.Table(
    "courses_courserun",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("course_id", sa.Integer, sa.ForeignKey("courses_course.id"), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("courseware_id", sa.String(255), nullable=False, unique=True),
    sa.Column("run_tag", sa.String(32), nullable=False),
    sa.Column("courseware_url_path", sa.String(255)),
    sa.Column("start_date", sa.DateTime(timezone=True)),
    sa.Column("end_date", sa.DateTime(timezone=True)),
    sa.Column("enrollment_start", sa.DateTime(timezone=True)),
    sa.Column("enrollment_end", sa.DateTime(timezone=True)),
    sa.Column("upgrade_deadline", sa.DateTime(timezone=True)),
    sa.Column("is_self_paced", sa.Boolean, nullable=False),
    sa.Column("live", sa.Boolean, nullable=False),
    sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
)

users = sa.Table(
    "users_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("username", sa.String(150), nullable=False, unique=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("global_id", sa.String(36)),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("last_login", sa.DateTime(timezone=True)),
    sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
)

enrollments = sa.Table(
    "courses_courserunenrollment",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users_user.id"), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("courses_courserun.id"), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("edx_enrolled", sa.Boolean, nullable=False),
    sa.Column("enrollment_mode", sa.String(20), nullable=False),
    sa.Column("change_status", sa.String(20)),
    sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
)

SUBJECTS = [
    ("14.100x", "Microeconomics"),
    ("14.310x", "Data Analysis for Social Scientists"),
    ("6.86x", "Machine Learning with Python"),
    ("18.6501x", "Fundamentals of Statistics"),
    ("6.431x", "Probability - The Science of Uncertainty and Data"),
    ("14.73x", "The Challenges of Global Poverty"),
    ("14.740x", "Foundations of Development Policy"),
    ("JPAL102x", "Designing and Running Randomized Evaluations"),
    ("CTL.SC0x", "Supply Chain Analytics"),
    ("CTL.SC1x", "Supply Chain Fundamentals"),
    ("CTL.SC2x", "Supply Chain Design"),
    ("CTL.SC3x", "Supply Chain Dynamics"),
    ("2.01x", "Elements of Structures"),
    ("8.01.1x", "Mechanics: Kinematics and Dynamics"),
    ("7.00x", "Introduction to Biology"),
    ("3.086x", "Innovation and Commercialization"),
    ("15.415x", "Foundations of Modern Finance"),
    ("15.S08x", "FinTech: Shaping the Financial World"),
    ("11.S198x", "Sustainable Cities"),
    ("21G.01x", "French Conversation"),
]
TERMS = ["1T2023", "2T2023", "3T2023", "1T2024", "2T2024", "3T2024", "1T2025"]
FIRST = ["Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi"]
LAST = ["Ito", "Jones", "Khan", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi"]
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SampleSize:
    users: int = 3000
    enrollments: int = 8000


def global_id(system: str, user_id: int) -> str:
    """The single-sign-on id of a sample learner: a deterministic UUID (no RNG draw)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sso.example.org/{system}/{user_id}"))


def course_run_keys() -> list[tuple[str, str]]:
    """(course number, run tag) of every run: shared with the other sample systems."""
    return [(number, term) for number, _ in SUBJECTS for term in TERMS[: 3 + len(number) % 4]]


def _ts(rng: random.Random, start: datetime, days: int) -> datetime:
    return (start + timedelta(seconds=rng.randrange(days * 86400))).replace(microsecond=0)


def _naive(value: datetime | None) -> datetime | None:
    # Stored as naive UTC so SQLite, PostgreSQL and MariaDB round-trip the same value.
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


def generate(seed: int = 7, size: SampleSize | None = None) -> dict[str, list[dict]]:
    size = size or SampleSize()
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {t.name: [] for t in metadata.sorted_tables}
    for cid, (number, title) in enumerate(SUBJECTS, start=1):
        created = _ts(rng, EPOCH - timedelta(days=700), 300)
        rows["courses_course"].append(
            dict(
                id=cid,
                title=title,
                readable_id=f"course-v1:MITxT+{number}",
                live=rng.random() > 0.1,
                created_on=created,
                updated_on=created + timedelta(days=rng.randrange(1, 200)),
            )
        )
    cids = {number: i for i, (number, _) in enumerate(SUBJECTS, start=1)}
    for rid, (number, term) in enumerate(course_run_keys(), start=1):
        year, part = int(term[2:]), int(term[0])
        start = datetime(year, 1 + 4 * (part - 1), 10, tzinfo=UTC)
        created = start - timedelta(days=90)
        rows["courses_courserun"].append(
            dict(
                id=rid,
                course_id=cids[number],
                title=dict(SUBJECTS)[number],
                courseware_id=f"course-v1:MITxT+{number}+{term}",
                run_tag=term,
                courseware_url_path=f"/learn/course/course-v1:MITxT+{number}+{term}/home",
                start_date=start,
                end_date=start + timedelta(days=98),
                enrollment_start=start - timedelta(days=60),
                enrollment_end=start + timedelta(days=70),
                upgrade_deadline=start + timedelta(days=60) if rng.random() > 0.2 else None,
                is_self_paced=rng.random() < 0.3,
                live=True,
                created_on=created,
                updated_on=created + timedelta(days=rng.randrange(1, 30)),
            )
        )
    for uid in range(1, size.users + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = _ts(rng, EPOCH - timedelta(days=365), 700)
        rows["users_user"].append(
            dict(
                id=uid,
                username=f"{first.lower()}{last.lower()}{uid}",
                email=f"{first.lower()}.{last.lower()}{uid}@example.org",
                name=f"{first} {last}",
                global_id=global_id("mitxonline", uid),
                is_active=rng.random() > 0.03,
                last_login=created + timedelta(days=rng.randrange(0, 60)),
                created_on=created,
                updated_on=created + timedelta(hours=rng.randrange(1, 2000)),
            )
        )
    n_runs = len(rows["courses_courserun"])
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < size.enrollments:
        pairs.add((rng.randrange(1, size.users + 1), rng.randrange(1, n_runs + 1)))
    for eid, (uid, rid) in enumerate(sorted(pairs), start=1):
        created = _ts(rng, EPOCH, 600)
        rows["courses_courserunenrollment"].append(
            dict(
                id=eid,
                user_id=uid,
                run_id=rid,
                active=rng.random() > 0.08,
                edx_enrolled=True,
                enrollment_mode="verified" if rng.random() < 0.25 else "audit",
                change_status=None if rng.random() > 0.05 else "unenrolled",
                created_on=created,
                updated_on=created + timedelta(hours=rng.randrange(0, 500)),
            )
        )
    return {
        name: [{k: _naive(v) if isinstance(v, datetime) else v for k, v in r.items()} for r in rs]
        for name, rs in rows.items()
    }


def build(engine: sa.Engine, seed: int = 7, size: SampleSize | None = None) -> dict[str, int]:
    """(Re)create the schema on ``engine`` and fill it (extension tables included); returns
    rows per table."""
    from ol_platform.samples.app_databases import extended_rows  # imports this module

    data = extended_rows("mitxonline_app", generate(seed, size), seed)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            conn.execute(table.insert(), data[table.name])
    return {name: len(rs) for name, rs in data.items()}


def apply_changes(engine: sa.Engine, *, now: datetime, seed: int = 11) -> dict[str, int]:
    """A day of activity: some enrollments change mode, some users are renamed, new users join.

    Every touched row gets ``updated_on = now``. Returns the number of rows changed per table.
    """
    rng = random.Random(seed)
    stamp = _naive(now)
    with engine.begin() as conn:
        n_users = conn.execute(sa.select(sa.func.max(users.c.id))).scalar_one()
        n_enr = conn.execute(sa.select(sa.func.max(enrollments.c.id))).scalar_one()
        upgraded = rng.sample(range(1, n_enr + 1), k=max(1, n_enr // 100))
        conn.execute(
            enrollments.update()
            .where(enrollments.c.id.in_(upgraded))
            .values(enrollment_mode="verified", updated_on=stamp)
        )
        renamed = rng.sample(range(1, n_users + 1), k=max(1, n_users // 100))
        conn.execute(
            users.update()
            .where(users.c.id.in_(renamed))
            .values(name=users.c.name + " Jr.", updated_on=stamp)
        )
        new_users = [
            dict(
                id=n_users + i,
                username=f"newlearner{n_users + i}",
                email=f"newlearner{n_users + i}@example.org",
                name="New Learner",
                global_id=global_id("mitxonline", n_users + i),
                is_active=True,
                last_login=stamp,
                created_on=stamp,
                updated_on=stamp,
            )
            for i in range(1, 11)
        ]
        conn.execute(users.insert(), new_users)
    return {
        "courses_courserunenrollment": len(upgraded),
        "users_user": len(renamed) + len(new_users),
    }
