"""xPRO's catalog entries for the courses its partners deliver: the app lists a partner's run
under its own run (``external_course_run_id`` is the partner's run code, ``wrike_run_code`` in
the partner's export). Here xPRO lists Emeritus's Engineering Leadership batches, not its
Product Management one nor Global Alumni's: the warehouse must handle both cases.

The partner course has an external catalogue page, as has the external program (Engineering
Leadership with Emeritus). So has the first of xPRO's own courses: an unpublished external page
left beside its course page, as the app has for some courses; its course page is the one that
counts.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from ol_platform.samples.app_databases import extends, xpro_md
from ol_platform.samples.extensions.xpro_course_pages import catalog_page, with_rows
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


@extends("xpro_app")
def _external_pages(data: Rows, rng: random.Random) -> Rows:
    courses = {c["readable_id"].rsplit("+", 1)[1]: c for c in data["courses_course"]}
    listed = courses[LISTED_COURSE[0]]
    own = next(
        c for c in data["courses_course"] if c["id"] == data["cms_coursepage"][0]["course_id"]
    )
    # Numbered after the app's own pages: their place in the Wagtail tree.
    after = len(data["cms_coursepage"])
    pages = [
        catalog_page(
            rng, "course", after + 1, listed["id"], listed["title"], listed["created_on"], "2.4",
            external=True,
        ),
        catalog_page(
            rng, "course", after + 2, own["id"], own["title"], own["created_on"], None,
            external=True,
        ),
    ]  # fmt: skip
    pages[-1]["wagtailcore_page"][0]["live"] = False
    after = len(data["cms_programpage"])
    external = [p for p in data["courses_program"] if p["is_external"]]
    for number, program in enumerate(external, after + 1):
        pages.append(
            catalog_page(
                rng, "program", number, program["id"], program["title"], program["created_on"],
                "4.0", external=True,
            )
        )  # fmt: skip
    subtopics = [t["id"] for t in data["courses_coursetopic"] if t["parent_id"] is not None]
    page_topics = [
        dict(id=i, externalcoursepage_id=page["page_ptr_id"], coursetopic_id=topic)
        for i, (page, topic) in enumerate(
            (
                (page, topic)
                for rows in pages[:2]
                for page in rows["cms_externalcoursepage"]
                for topic in rng.sample(subtopics, 2)
            ),
            1,
        )
    ]
    return {**with_rows(data, *pages), "cms_externalcoursepage_topics": page_topics}
