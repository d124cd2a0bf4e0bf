"""The MITx Online app database into Airbyte-shaped Iceberg tables, on SQLite and real MariaDB
(dlt) and real PostgreSQL (COPY): incremental on updated_on, new versions appended, reruns
idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from ol_platform.ingest.airbyte_shape import AIRBYTE_COLUMNS
from ol_platform.ingest.app_database import load_app_database
from ol_platform.samples import mitxonline_app
from ol_platform.samples.app_databases import SampleDatabase
from ol_platform.samples.mitxonline_app import SampleSize
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

SIZE = SampleSize(users=600, enrollments=1500)
NS = "ol_warehouse_local_raw"


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def app_db(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mitxonline.sqlite'}"
    return request.getfixturevalue(f"{request.param}_url")


def lake_table(catalog, entity: str):
    return catalog.load_table(f"{NS}.raw__mitxonline__app__postgres__{entity}").scan().to_arrow()


def build_mitxonline(engine: sa.Engine) -> dict[str, int]:
    """The MITx Online sample at SIZE, with the tables extension modules add to it."""

    sample = SampleDatabase(
        "mitxonline_app", mitxonline_app.metadata, lambda seed: mitxonline_app.generate(seed, SIZE)
    )
    return sample.build(engine)


def test_full_then_incremental_load_without_duplicates(app_db, catalog, settings):
    engine = sa.create_engine(app_db)
    expected = build_mitxonline(engine)
    source = load_registry(DEFAULT_REGISTRY)["mitxonline_app"]
    keys = {t.entity: t.primary_key for t in source.tables}
    with_cursor = {f"raw__mitxonline__app__postgres__{t.entity}" for t in source.tables if t.cursor}

    first = {
        r.table.split(".")[-1]: r
        for r in load_app_database(source, url=app_db, catalog=catalog, settings=settings)
    }
    for entity, count in expected.items():
        table = lake_table(catalog, entity)
        assert table.num_rows == count, entity
        (key,) = keys[entity]
        assert pc.count_distinct(table.column(key)).as_py() == count, entity
        assert set(AIRBYTE_COLUMNS) <= set(table.column_names)
        assert first[f"raw__mitxonline__app__postgres__{entity}"].rows_in_batch == count

    users = lake_table(catalog, "users_user")
    assert str(users.schema.field("updated_on").type) == "timestamp[us, tz=UTC]"
    assert users.column("_airbyte_raw_id").null_count == 0
    assert users.column("_airbyte_meta").to_pylist()[0]["changes"] == []

    # A rerun with nothing changed re-reads only the rows at the cursor boundary (tables
    # without a cursor are re-read whole), and the lake already holds them: nothing is written.
    rerun = load_app_database(source, url=app_db, catalog=catalog, settings=settings)
    at_cursor = [r for r in rerun if r.table.split(".")[-1] in with_cursor]
    assert all(r.rows_in_batch < 5 for r in at_cursor), [(r.table, r.rows_in_batch) for r in rerun]
    assert all(r.rows_written == 0 for r in at_cursor), [(r.table, r.rows_written) for r in rerun]
    for entity in (t.entity for t in source.tables if not t.cursor):  # merged on their key
        assert lake_table(catalog, entity).num_rows == expected[entity], entity
    assert lake_table(catalog, "users_user").num_rows == expected["users_user"]

    changed = mitxonline_app.apply_changes(engine, now=datetime(2026, 1, 1, tzinfo=UTC))
    incremental = {
        r.table.split("__")[-1]: r
        for r in load_app_database(source, url=app_db, catalog=catalog, settings=settings)
    }
    # Changed rows, plus the few rows sitting exactly on the previous cursor value (>=).
    for entity in ("users_user", "courses_courserunenrollment"):
        assert changed[entity] <= incremental[entity].rows_in_batch <= changed[entity] + 3
        assert incremental[entity].rows_written == changed[entity], entity
    assert "courses_course" not in incremental or incremental["courses_course"].rows_written == 0

    # The raw table holds each changed row's new version; the newest per key is the source.
    users = lake_table(catalog, "users_user")
    assert users.num_rows == expected["users_user"] + changed["users_user"]
    current = newest_versions(users)
    assert len(current) == expected["users_user"] + 10
    renamed = [r for r in current.values() if r["name"].endswith(" Jr.")]
    assert len(renamed) == changed["users_user"] - 10
    with engine.connect() as conn:
        names = dict(conn.execute(sa.text("select id, name from users_user")).all())
    assert {k: r["name"] for k, r in current.items()} == names
    enrollments = newest_versions(lake_table(catalog, "courses_courserunenrollment"))
    assert len(enrollments) == expected["courses_courserunenrollment"]
    engine.dispose()


def newest_versions(table) -> dict:
    """What the staging models read: the newest extraction of each id."""
    newest: dict = {}
    for row in sorted(table.to_pylist(), key=lambda r: r["_airbyte_extracted_at"]):
        newest[row["id"]] = row
    return newest


def test_unknown_database_type_is_a_clear_error():
    from ol_platform.ingest.connections import sqlalchemy_url

    class Conn:
        conn_id, conn_type, host, login, password, port, schema = (
            "x_db",
            "oracle",
            "h",
            "",
            "",
            1,
            "",
        )

    with pytest.raises(ValueError, match="connection 'x_db': type 'oracle'"):
        sqlalchemy_url(Conn())


def test_postgres_connection_url_keeps_special_characters_in_the_password():
    from ol_platform.ingest.connections import sqlalchemy_url

    class Conn:
        conn_id, conn_type, host, login, password, port, schema = (
            "db",
            "postgres",
            "h",
            "u",
            "p@ss/w:rd",
            5432,
            "app",
        )

    url = sa.engine.make_url(sqlalchemy_url(Conn()))
    assert (
        url.password == "p@ss/w:rd"
        and url.database == "app"
        and url.drivername == "postgresql+psycopg2"
    )


DATABASE_SOURCES = [
    "bootcamps_app",
    "mitlearn_app",
    "mitxonline_openedx",
    "mitx_openedx",
    "micromasters_app",
    "ocw_studio_app",
    "xpro",
]


@pytest.mark.parametrize("name", DATABASE_SOURCES)
def test_every_database_source_lands_all_its_raw_tables_from_its_sample(
    name, catalog, settings, tmp_path
):
    from ol_platform.samples.app_databases import SAMPLES

    source = load_registry(DEFAULT_REGISTRY)[name]
    url = f"sqlite:///{tmp_path / 'sample.sqlite'}"
    counts = SAMPLES[source.local.sample].build(sa.create_engine(url))
    results = load_app_database(source, url=url, catalog=catalog, settings=settings)
    landed = {r.table.split(".")[-1]: r.total_rows for r in results}
    for table, raw in zip(source.tables, source.raw_table_names(), strict=True):
        assert landed[raw] == counts[table.entity] > 0, raw
        lake = catalog.load_table(f"{NS}.{raw}").scan().to_arrow()
        assert set(AIRBYTE_COLUMNS) <= set(lake.column_names)


@pytest.mark.parametrize(
    ("name", "server"),
    [
        ("mitxonline_openedx", "mariadb"),
        ("mitx_openedx", "mariadb"),
        ("micromasters_app", "postgres"),
    ],
)
def test_mysql_and_postgres_kind_samples_extract_from_real_servers(
    name, server, request, catalog, settings
):
    from ol_platform.samples.app_databases import SAMPLES

    url = request.getfixturevalue(f"{server}_url")
    source = load_registry(DEFAULT_REGISTRY)[name]
    counts = SAMPLES[source.local.sample].build(sa.create_engine(url))
    results = load_app_database(source, url=url, catalog=catalog, settings=settings)
    assert {r.table.split(".")[-1]: r.total_rows for r in results} == {
        raw: counts[t.entity]
        for t, raw in zip(source.tables, source.raw_table_names(), strict=True)
    }


def test_sample_systems_share_course_run_keys():
    """The same course runs appear in MITx Online, MicroMasters and the Open edX tables."""
    from ol_platform.samples.app_databases import SAMPLES

    mitxonline = {
        r["courseware_id"] for r in SAMPLES["mitxonline_app"].generate(7)["courses_courserun"]
    }
    micromasters = {
        r["edx_course_key"] for r in SAMPLES["micromasters_app"].generate(7)["courses_courserun"]
    }
    openedx = {
        r["course_id"]
        for r in SAMPLES["mitxonline_openedx"].generate(7)["student_courseenrollment"]
    }
    assert micromasters and micromasters <= mitxonline
    assert openedx <= mitxonline and len(openedx & micromasters) > 10


@pytest.mark.parametrize("name", ["mitxonline_app", "xpro_app"])
def test_sample_grades_belong_to_enrollments_and_certificates_to_passing_grades(name):
    from ol_platform.samples.app_databases import SAMPLES

    data = SAMPLES[name].generate(7)
    enrolled = {(e["user_id"], e["run_id"]) for e in data["courses_courserunenrollment"]}
    grades = [(g["user_id"], g["course_run_id"]) for g in data["courses_courserungrade"]]
    passed = {
        (g["user_id"], g["course_run_id"]) for g in data["courses_courserungrade"] if g["passed"]
    }
    certified = [(c["user_id"], c["course_run_id"]) for c in data["courses_courseruncertificate"]]
    assert grades and len(set(grades)) == len(grades) and set(grades) <= enrolled
    assert certified and set(certified) <= passed


def test_sample_program_certificates_meet_their_requirement_tree():
    """A MITx Online program certificate means certificates in every required course and in
    enough electives, as the requirement tree's operators say."""
    from ol_platform.samples.app_databases import SAMPLES

    data = SAMPLES["mitxonline_app"].generate(7)
    course_of_run = {r["id"]: r["course_id"] for r in data["courses_courserun"]}
    held: dict[int, set[int]] = {}
    for c in data["courses_courseruncertificate"]:
        if not c["is_revoked"]:
            held.setdefault(c["user_id"], set()).add(course_of_run[c["course_run_id"]])
    nodes = data["courses_programrequirement"]
    operators = [n for n in nodes if n["node_type"] == "operator"]
    assert data["courses_programcertificate"]
    for certificate in data["courses_programcertificate"]:
        for op in (o for o in operators if o["program_id"] == certificate["program_id"]):
            courses = {
                n["course_id"]
                for n in nodes
                if n["node_type"] == "course" and n["path"].startswith(op["path"])
            }
            needed = len(courses) if op["operator"] == "all_of" else int(op["operator_value"])
            assert len(courses & held[certificate["user_id"]]) >= needed, certificate


def test_sample_micromasters_course_certificates_follow_a_passing_final_grade():
    from ol_platform.samples.app_databases import SAMPLES

    data = SAMPLES["micromasters_app"].generate(7)
    course_of_run = {r["id"]: r["course_id"] for r in data["courses_courserun"]}
    passed = {
        (g["user_id"], course_of_run[g["course_run_id"]])
        for g in data["grades_finalgrade"]
        if g["passed"]
    }
    certified = {
        (c["user_id"], c["course_id"]) for c in data["grades_micromasterscoursecertificate"]
    }
    assert certified and certified <= passed


def test_residential_learners_are_partly_the_same_people_as_online_by_email():
    """Residential MITx shares learners with MITx Online and edX.org (linked by email), and its
    course keys are its own: MITx-org runs, opaque and legacy ``org/number/run`` keys."""
    from ol_platform.samples import edxorg_archives
    from ol_platform.samples.app_databases import SAMPLES

    residential = SAMPLES["mitx_openedx"].generate(7)
    emails = {u["email"] for u in residential["auth_user"]}
    mitxonline = {u["email"] for u in SAMPLES["mitxonline_app"].generate(7)["users_user"]}
    edxorg = {edxorg_archives._user(7, uid, 1, False)["email"] for uid in range(1, 501)}
    assert len(emails) == len(residential["auth_user"])
    assert 0 < len(emails & mitxonline) < len(emails)
    assert 0 < len(emails & edxorg) < len(emails)
    keys = {o["id"] for o in residential["course_overviews_courseoverview"]}
    assert {e["course_id"] for e in residential["student_courseenrollment"]} <= keys
    assert any(k.startswith("course-v1:MITx+") for k in keys)
    assert any(k.startswith("MITx/") for k in keys)
    modules = {m["id"] for m in residential["courseware_studentmodule"]}
    for history in (
        "courseware_studentmodulehistory",
        "coursewarehistoryextended_studentmodulehistoryextended",
    ):
        assert residential[history]
        assert {h["student_module_id"] for h in residential[history]} <= modules


def test_sample_systems_share_learners():
    """The identifiers the applications share point at accounts that exist: the MITx Online
    app's Open edX usernames, xPRO app usernames in xPRO's Open edX, MicroMasters' edX.org
    sign-ins; some emails recur across platforms, and one is held twice in one system."""
    from ol_platform.samples import edxorg_archives
    from ol_platform.samples.app_databases import SAMPLES

    generated = {name: SAMPLES[name].generate(7) for name in SAMPLES}
    mitxonline = generated["mitxonline_app"]
    openedx_usernames = {u["username"] for u in generated["mitxonline_openedx"]["auth_user"]}
    recorded = mitxonline["openedx_openedxuser"]
    assert recorded and {r["edx_username"] for r in recorded} <= openedx_usernames
    app_ids = {u["id"] for u in mitxonline["users_user"]}
    assert {r["user_id"] for r in recorded} <= app_ids

    xpro = generated["xpro_app"]
    assert {u["username"] for u in xpro["users_user"]} == {u["username"] for u in xpro["auth_user"]}
    enrolled = {e["user_id"] for e in xpro["courses_courserunenrollment"]}
    assert enrolled <= {u["id"] for u in xpro["users_user"]}

    edxorg_usernames = {
        line.split("\t")[1]
        for path, text in edxorg_archives.dumps(7).items()
        if "/auth_user/" in path
        for line in text.splitlines()[1:]
    }
    social = generated["micromasters_app"]["social_auth_usersocialauth"]
    uids = {s["uid"] for s in social if s["provider"] == "edxorg"}
    assert uids and len(uids & edxorg_usernames) > 0.9 * len(uids)

    mitxonline_emails = {u["email"] for u in mitxonline["users_user"]}
    shared = [
        ("xpro_app", "users_user"),
        ("bootcamps_app", "auth_user"),
        ("micromasters_app", "auth_user"),
        ("mitlearn_app", "users_user"),
    ]
    for name, table in shared:
        emails = [u["email"] for u in generated[name][table]]
        assert set(emails) & mitxonline_emails, name
    bootcamps_emails = [u["email"] for u in generated["bootcamps_app"]["auth_user"]]
    assert len(bootcamps_emails) > len(set(bootcamps_emails))  # the ambiguous pair
    enrolled = {e["user_id"] for e in generated["bootcamps_app"]["klasses_bootcamprunenrollment"]}
    assert enrolled <= {u["id"] for u in generated["bootcamps_app"]["auth_user"]}
