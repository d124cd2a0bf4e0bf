"""xPRO's catalogue pages: each course's and program's CMS page, its faculty and certificate.

xPRO's Wagtail CMS keeps a page per course and per program (``cms_coursepage``,
``cms_programpage``: description, duration, format, time commitment), and under each of them,
as child pages in the Wagtail tree, a faculty page (``cms_facultymemberspage``: the members as a
JSON stream field, in the page's order) and a certificate page (``cms_certificatepage``:
continuing education units, signatories). Course pages are tagged with topics
(``courses_coursetopic``, a two-level tree; ``cms_coursepage_topics``). A child page is found
by its Wagtail path: its parent's path and four more characters.

A course or program a partner delivers has an external page instead (``cms_externalcoursepage``,
``cms_externalprogrampage``, with their own topic table): the same fields and child pages.

The sample gives every xPRO course but the last a page (the last is a course whose page is
not written yet), and every program with courses a page; each page has a faculty page listing
one to three members from a shared list and a certificate page with its CEUs, except the
second course page, which has no certificate page (a course without continuing education
credits). The external pages are added with the partner course (``partners``).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from ol_platform.samples.app_databases import extends, xpro_md
from ol_platform.samples.extensions.programs import wagtail_page_row, wagtail_page_table
from ol_platform.samples.schema import STAMPS, Rows, col, pk, table


def _product_page_table(name: str, key: str, *extra: sa.Column) -> sa.Table:
    """What xPRO's course and program pages share (the app's product page)."""
    return sa.Table(
        name,
        xpro_md,
        pk("page_ptr_id"),
        col(key, sa.Integer),
        col("description", sa.Text),
        col("subhead", sa.String(255)),
        col("duration", sa.String(50)),
        col("format", sa.String(20)),
        col("time_commitment", sa.String(100)),
        col("catalog_details", sa.Text),
        col("external_marketing_url", sa.String(255)),
        *extra,
    )


for _prefix in ("", "external"):
    _product_page_table(f"cms_{_prefix}coursepage", "course_id")
    _product_page_table(f"cms_{_prefix}programpage", "program_id", col("featured", sa.Boolean))
sa.Table(
    "cms_facultymemberspage",
    xpro_md,
    pk("page_ptr_id"),
    col("heading", sa.String(255)),
    col("subhead", sa.String(255)),
    col("members", sa.Text),  # a Wagtail stream field: JSON blocks of type "member"
)
sa.Table(
    "cms_certificatepage",
    xpro_md,
    pk("page_ptr_id"),
    col("product_name", sa.String(250)),
    col("ceus", sa.String(250)),
    col("signatories", sa.Text),  # JSON blocks of type "signatory", a signatory page's id
    col("institute_text", sa.String(255)),
    col("overrides", sa.Text),
)
table(xpro_md, "courses_coursetopic", ("name", sa.String(128)), ("parent_id", sa.Integer), *STAMPS)
table(
    xpro_md, "cms_coursepage_topics", ("coursepage_id", sa.Integer), ("coursetopic_id", sa.Integer)
)
table(
    xpro_md,
    "cms_externalcoursepage_topics",
    ("externalcoursepage_id", sa.Integer),
    ("coursetopic_id", sa.Integer),
)
wagtail_page_table(xpro_md)

# (parent topic, its subtopics)
TOPICS = [
    ("Engineering", ["Systems Engineering", "Quantum Engineering"]),
    ("Technology", ["Computer Science", "Cybersecurity"]),
    ("Business", ["Leadership", "Product Management"]),
]
FACULTY = [
    ("Bruce Cameron", "Director, System Architecture Group"),
    ("Edward Crawley", "Professor of Aeronautics and Astronautics"),
    ("Olivier de Weck", "Professor of Aeronautics and Astronautics"),
    ("Isaac Chuang", "Professor of Electrical Engineering and Physics"),
    ("William Oliver", "Professor of Electrical Engineering"),
    ("Peter Shor", "Professor of Applied Mathematics"),
]
SIGNATORY_PAGES = (9001, 9002)  # the signatory pages every certificate is signed by
# Wagtail paths: home is 00010001; courses and programs have their index page under it.
COURSE_INDEX, PROGRAM_INDEX = "000100010001", "000100010002"
CONTENT_TYPES = {"course": 61, "program": 62, "faculty": 63, "certificate": 64}


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]


def catalog_page(
    rng: random.Random,
    kind: str,
    number: int,
    key: int,
    title: str,
    since: datetime,
    ceus: str | None,
    external: bool = False,
) -> Rows:
    """A course or program page (``kind``), its Wagtail page and its child pages, by table: the
    ``number``th page of its kind in the Wagtail tree. An external page (a product delivered by
    a partner) is a ``cms_external<kind>page`` with the same fields and children."""
    page_id = (100 if kind == "course" else 200) + number
    path = f"{COURSE_INDEX if kind == 'course' else PROGRAM_INDEX}{number:04d}"
    url = f"/home/{kind}s/{_slug(title)}/"
    weeks = rng.choice([6, 8, 10, 12])
    page = dict(
        page_ptr_id=page_id,
        **{f"{kind}_id": key},
        description=f"<p>{title}, from MIT xPRO.</p>",
        subhead=f"Learn {title.lower()} from MIT faculty.",
        duration=f"{weeks} weeks",
        format="Online",
        time_commitment=f"{rng.choice([4, 5, 6])}-{rng.choice([7, 8])} hours per week",
        catalog_details=f"<p>{title}: {weeks} weeks online.</p>",
        external_marketing_url=f"https://partner.example.com/{_slug(title)}" if external else None,
        **({"featured": number == 1} if kind == "program" else {}),
    )
    children = 1 + (ceus is not None)
    wagtail = [
        wagtail_page_row(page_id, title, path, url, CONTENT_TYPES[kind], since, children),
        wagtail_page_row(
            page_id + 1000, "Faculty", f"{path}0001", f"{url}faculty/", CONTENT_TYPES["faculty"],
            since,
        ),
    ]  # fmt: skip
    members = [
        {
            "type": "member",
            "value": {"name": name, "image": 500 + i, "description": f"<p>{title_}.</p>"},
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
        }
        for i, (name, title_) in enumerate(rng.sample(FACULTY, rng.choice([1, 2, 3])))
    ]
    faculty = dict(
        page_ptr_id=page_id + 1000,
        heading="MIT Faculty",
        subhead="Learn from MIT's faculty",
        members=json.dumps(members),
    )
    certificates = []
    if ceus is not None:
        signatories = [
            {"type": "signatory", "value": s, "id": str(uuid.UUID(int=rng.getrandbits(128)))}
            for s in SIGNATORY_PAGES
        ]
        certificates.append(
            dict(
                page_ptr_id=page_id + 2000,
                product_name=title,
                ceus=ceus,
                signatories=json.dumps(signatories),
                institute_text="MIT Professional Education",
                overrides="[]",
            )
        )
        wagtail.append(
            wagtail_page_row(
                page_id + 2000, "Certificate", f"{path}0002", f"{url}certificate/",
                CONTENT_TYPES["certificate"], since,
            )
        )  # fmt: skip
    return {
        f"cms_{'external' if external else ''}{kind}page": [page],
        "cms_facultymemberspage": [faculty],
        "cms_certificatepage": certificates,
        "wagtailcore_page": wagtail,
    }


def with_rows(data: Rows, *added: Rows) -> Rows:
    """Each table of ``added``: the rows ``data`` has, then the added ones."""
    tables: Rows = {}
    for rows in added:
        for name, new in rows.items():
            tables.setdefault(name, list(data.get(name, []))).extend(new)
    return tables


@extends("xpro_app")
def _xpro(data: Rows, rng: random.Random) -> Rows:
    created = datetime(2022, 3, 1)
    topics, subtopics = [], []
    for parent, children in TOPICS:
        parent_id = len(topics) + 1
        topics.append(dict(id=parent_id, name=parent, parent_id=None))
        for child in children:
            topics.append(dict(id=len(topics) + 1, name=child, parent_id=parent_id))
            subtopics.append(len(topics))
    for topic in topics:
        topic.update(created_on=created, updated_on=created + timedelta(days=topic["id"]))

    pages: list[Rows] = []
    page_topics = []
    courses = sorted(data["courses_course"], key=lambda c: c["id"])
    for number, course in enumerate(courses[:-1], 1):  # the last course's page is not written
        ceus = None if number == 2 else f"{rng.choice([1.2, 2.0, 2.4, 3.6])}"
        pages.append(
            catalog_page(
                rng, "course", number, course["id"], course["title"], course["created_on"], ceus
            )
        )
        page_id = pages[-1]["cms_coursepage"][0]["page_ptr_id"]
        for topic_id in rng.sample(subtopics, rng.choice([1, 2])):
            page_topics.append(
                dict(id=len(page_topics) + 1, coursepage_id=page_id, coursetopic_id=topic_id)
            )
    with_courses = {c["program_id"] for c in data["courses_course"] if c.get("program_id")}
    for number, program in enumerate(
        (p for p in data["courses_program"] if p["id"] in with_courses), 1
    ):
        pages.append(
            catalog_page(
                rng, "program", number, program["id"], program["title"], program["created_on"],
                "6.0",
            )
        )  # fmt: skip
    return {
        "cms_coursepage": [],
        "cms_programpage": [],
        "cms_facultymemberspage": [],
        "cms_certificatepage": [],
        **with_rows({}, *pages),
        "courses_coursetopic": topics,
        "cms_coursepage_topics": page_topics,
    }
