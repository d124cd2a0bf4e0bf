"""Column and table helpers of the sample databases, and the table shapes several share.

The apps are Django (and Open edX) applications: tables keyed by an integer ``id`` that the
generators set themselves, stamped ``created_on``/``updated_on`` by most apps. This module
imports nothing from the samples, so every sample module can use it (``app_databases``
imports ``mitx_residential``, which therefore cannot import ``app_databases``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

Rows = dict[str, list[dict]]
TypeLike = sa.types.TypeEngine | type[sa.types.TypeEngine]
ColumnSpec = sa.Column | tuple[str, TypeLike]


def pk(name: str = "id", type_: TypeLike = sa.Integer) -> sa.Column:
    """The primary key; never autoincremented, the generators number the rows."""
    return sa.Column(name, type_, primary_key=True, autoincrement=False)


def col(name: str, type_: TypeLike) -> sa.Column:
    return sa.Column(name, type_)


def stamps(created: str = "created_on", updated: str = "updated_on") -> tuple[ColumnSpec, ...]:
    """The two row stamps, named as the app names them (MicroMasters: created_at/modified_at)."""
    return ((created, sa.DateTime), (updated, sa.DateTime))


STAMPS = stamps()


def table(md: sa.MetaData, name: str, *columns: ColumnSpec) -> sa.Table:
    """A table keyed by ``id``; columns are ``sa.Column`` objects or ``(name, type)`` pairs."""
    return sa.Table(
        name,
        md,
        pk(),
        *(c if isinstance(c, sa.Column) else sa.Column(*c) for c in columns),
    )


def stamped(
    created: datetime, updated: datetime | None = None, names: tuple[ColumnSpec, ...] = STAMPS
) -> dict[str, datetime]:
    """A row's stamp values under ``names`` (see :func:`stamps`); ``updated`` defaults to
    ``created``."""
    (created_name, _), (updated_name, _) = names
    return {created_name: created, updated_name: created if updated is None else updated}


# --- Shapes shared by several samples --------------------------------------------------------


def auth_user_table(md: sa.MetaData, *names: ColumnSpec) -> sa.Table:
    """Django's ``auth_user`` as Open edX, MicroMasters and Bootcamps keep it; ``names`` (the
    first and last name columns, where the app has them) come after ``email``."""
    return table(
        md,
        "auth_user",
        ("username", sa.String(150)),
        ("email", sa.String(254)),
        *names,
        ("is_active", sa.Boolean),
        ("date_joined", sa.DateTime),
        ("last_login", sa.DateTime),
    )


def course_enrollment_table(md: sa.MetaData) -> sa.Table:
    """Open edX's ``student_courseenrollment``."""
    return table(
        md,
        "student_courseenrollment",
        ("user_id", sa.Integer),
        ("course_id", sa.String(255)),
        ("created", sa.DateTime),
        ("is_active", sa.Boolean),
        ("mode", sa.String(100)),
    )


def course_grade_table(md: sa.MetaData, *extra: ColumnSpec) -> sa.Table:
    """Open edX's ``grades_persistentcoursegrade``; ``extra`` columns follow ``course_id``."""
    return table(
        md,
        "grades_persistentcoursegrade",
        ("user_id", sa.Integer),
        ("course_id", sa.String(255)),
        *extra,
        ("percent_grade", sa.Float),
        ("letter_grade", sa.String(255)),
        ("passed_timestamp", sa.DateTime),
        ("created", sa.DateTime),
        ("modified", sa.DateTime),
    )


def catalog_table(md: sa.MetaData, name: str, *extra: ColumnSpec) -> sa.Table:
    """A course or program of the xPRO and MITx Online apps: title, readable id, live flag,
    then the app's ``extra`` columns and the stamps."""
    return table(
        md,
        name,
        ("title", sa.String(255)),
        ("readable_id", sa.String(255)),
        ("live", sa.Boolean),
        *extra,
        *STAMPS,
    )


def enrollment_table(md: sa.MetaData, name: str, target: str, *extra: ColumnSpec) -> sa.Table:
    """An app's enrollment of a user in ``target`` (a run or a program), then ``extra``."""
    return table(
        md,
        name,
        ("user_id", sa.Integer),
        (target, sa.Integer),
        ("active", sa.Boolean),
        ("change_status", sa.String(20)),
        *extra,
        *STAMPS,
    )
