"""xPRO's catalog entries for the courses its partners deliver: the app lists a partner's run
under its own run (``external_course_run_id`` is the partner's run code, ``wrike_run_code`` in
the partner's export). Here xPRO lists Emeritus's Engineering Leadership batches, not its
Product Management one nor Global Alumni's: the warehouse must handle both cases.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from ol_platform.samples.app_databases import extends, xpro_md
from ol_platform.samples.schema import Rows
from ol_platform.samples.xpro_partners import EMERITUS_BATCHES

LISTED_COURSE = ("ELPx", "Engineering Leadership (delivered by Emeritus)")

xpro_md.tables["courses_courserun"].append_column(
    sa.Column("external_course_run_id", sa.String(255))
)


@extends("xpro_app")
def _listed_partner_runs(data: Rows, rng: random.Random) -> Rows:
    code, title = LISTED_COURSE
    course_id = max(c["id"] for c in data["courses_course"]) + 1
    first_start = min(start for _, _, run_code, start in EMERITUS_BATCHES if "-ELP-" in run_code)
    course = {
        **data["courses_course"][0],
        "id": course_id,
        "title": title,
        "readable_id": f"course-v1:xPRO+{code}",
        "program_id": None,
        "created_on": first_start - timedelta(days=120),
        "updated_on": first_start - timedelta(days=90),
    }
    runs = [{**r, "external_course_run_id": None} for r in data["courses_courserun"]]
    for _, _, run_code, start in EMERITUS_BATCHES:
        if "-ELP-" not in run_code:
            continue
        tag = start.strftime("%Y-%m")
        runs.append(
            dict(
                id=len(runs) + 1,
                course_id=course_id,
                title=title,
                courseware_id=f"course-v1:xPRO+{code}+{tag}",
                run_tag=tag,
                start_date=start,
                end_date=start + timedelta(days=84),
                live=True,
                external_course_run_id=run_code,
                created_on=start - timedelta(days=60),
                updated_on=start - timedelta(days=rng.randrange(30, 50)),
            )
        )
    return {"courses_course": [*data["courses_course"], course], "courses_courserun": runs}
