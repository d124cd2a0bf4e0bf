"""MITx Online's course catalogue pages: each course's CMS page, its topics and instructors.

The app's Wagtail CMS keeps, per course, a course page (description, length, effort, price,
prerequisites), links from pages to instructor pages (``cms_instructorpagelink``: a course
or program page lists instructors in order), and topics (``courses_coursetopic``, a two-level
tree) tagged on course pages (``cms_coursepage_topics``). The sample gives most courses a
page (one course has none, as a course whose page is not written yet), one or two topics and
one to three instructors from a shared faculty list (an instructor teaches several courses),
and every program page two instructors. Each CMS page has its Wagtail page (slug, url path,
publication dates) in ``wagtailcore_page``, next to the program pages' ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples.app_databases import extends
from ol_platform.samples.extensions.programs import (
    mitxonline_md,
    mitxonline_product_page_columns,
    wagtail_page_row,
)
from ol_platform.samples.schema import STAMPS, Rows, col, pk, table

sa.Table(
    "cms_coursepage",
    mitxonline_md,
    pk("page_ptr_id"),
    col("course_id", sa.Integer),
    col("description", sa.Text),
    col("about", sa.Text),
    *mitxonline_product_page_columns(),
)
table(
    mitxonline_md,
    "courses_coursetopic",
    ("name", sa.String(128)),
    ("parent_id", sa.Integer),
    *STAMPS,
)
table(
    mitxonline_md,
    "cms_coursepage_topics",
    ("coursepage_id", sa.Integer),
    ("coursetopic_id", sa.Integer),
)
sa.Table(
    "cms_instructorpage",
    mitxonline_md,
    pk("page_ptr_id"),
    col("instructor_name", sa.String(255)),
    col("instructor_title", sa.String(255)),
    col("instructor_bio_short", sa.Text),
    col("instructor_bio_long", sa.Text),
)
table(
    mitxonline_md,
    "cms_instructorpagelink",
    ("sort_order", sa.Integer),
    ("page_id", sa.Integer),
    ("linked_instructor_page_id", sa.Integer),
)

# (parent topic, its subtopics)
TOPICS = [
    ("Science", ["Physics", "Chemistry", "Biology"]),
    ("Engineering", ["Electrical Engineering", "Mechanical Engineering"]),
    ("Social Sciences", ["Economics", "Public Policy"]),
    ("Data Science", ["Statistics", "Machine Learning"]),
]
FACULTY = [
    ("Esther Duflo", "Professor of Economics"),
    ("Abhijit Banerjee", "Professor of Economics"),
    ("John Tsitsiklis", "Professor of Electrical Engineering"),
    ("Patrick Jaillet", "Professor of Electrical Engineering"),
    ("Yossi Sheffi", "Professor of Engineering Systems"),
    ("Chris Caplice", "Senior Research Scientist"),
    ("Philippe Rigollet", "Professor of Mathematics"),
    ("Sara Ellison", "Senior Lecturer in Economics"),
]
COURSE_PAGES, INSTRUCTOR_PAGES = 1000, 2000  # Wagtail page ids of the two kinds of page


def _wagtail_page(page_id: int, title: str, section: str, created: datetime) -> dict:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
    return wagtail_page_row(
        page_id,
        title,
        f"00010001{page_id:08d}",
        f"/home/{section}/{slug}/",
        43 if section == "courses" else 44,
        created + timedelta(days=5),
    )


@extends("mitxonline_app")
def _mitxonline(data: Rows, rng: random.Random) -> Rows:
    created = datetime(2022, 1, 15)
    topics, parent_of = [], {}
    for parent, children in TOPICS:
        parent_id = len(topics) + 1
        topics.append(dict(id=parent_id, name=parent, parent_id=None))
        for child in children:
            topics.append(dict(id=len(topics) + 1, name=child, parent_id=parent_id))
            parent_of[len(topics)] = parent_id
    for topic in topics:
        topic.update(created_on=created, updated_on=created + timedelta(days=topic["id"]))
    subtopics = sorted(parent_of)

    instructor_pages = [
        dict(
            page_ptr_id=INSTRUCTOR_PAGES + i,
            instructor_name=name,
            instructor_title=title,
            instructor_bio_short=f"{name} is {title.lower()} at MIT.",
            instructor_bio_long=f"<p>{name} is {title.lower()} at MIT and teaches on MITx.</p>",
        )
        for i, (name, title) in enumerate(FACULTY, 1)
    ]
    wagtail = [
        _wagtail_page(p["page_ptr_id"], p["instructor_name"], "instructors", created)
        for p in instructor_pages
    ]
    pages, page_topics, links = [], [], []

    def link(page_id: int, count: int) -> None:
        for order, instructor in enumerate(rng.sample(instructor_pages, count)):
            links.append(
                dict(
                    id=len(links) + 1,
                    sort_order=order,
                    page_id=page_id,
                    linked_instructor_page_id=instructor["page_ptr_id"],
                )
            )

    courses = sorted(data["courses_course"], key=lambda c: c["id"])
    for course in courses[:-1]:  # the last course's page is not written yet
        page_id = COURSE_PAGES + course["id"]
        weeks = rng.choice([6, 8, 12, 14])
        pages.append(
            dict(
                page_ptr_id=page_id,
                course_id=course["id"],
                description=f"<p>{course['title']}.</p>",
                length=f"{weeks} weeks",
                effort=f"{rng.choice([6, 8, 10, 12])}-{rng.choice([14, 16])} hours per week",
                price="$1,000" if weeks > 8 else "$500",
                prerequisites="<p>Secondary-school mathematics.</p>",
                about=f"<p>About {course['title']}.</p>",
                what_you_learn=f"<ul><li>The core ideas of {course['title']}</li></ul>",
            )
        )
        wagtail.append(_wagtail_page(page_id, course["title"], "courses", course["created_on"]))
        for topic_id in rng.sample(subtopics, rng.choice([1, 2])):
            page_topics.append(
                dict(id=len(page_topics) + 1, coursepage_id=page_id, coursetopic_id=topic_id)
            )
        link(page_id, rng.choice([1, 2, 3]))
    for program_page in data["cms_programpage"]:
        link(program_page["page_ptr_id"], 2)
    return {
        "cms_coursepage": pages,
        "courses_coursetopic": topics,
        "cms_coursepage_topics": page_topics,
        "cms_instructorpage": instructor_pages,
        "cms_instructorpagelink": links,
        "wagtailcore_page": data["wagtailcore_page"] + wagtail,
    }
