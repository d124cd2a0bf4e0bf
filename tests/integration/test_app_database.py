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


def test_full_then_incremental_load_without_duplicates(app_db, catalog, settings):
    engine = sa.create_engine(app_db)
    expected = mitxonline_app.build(engine, size=SIZE)
    source = load_registry(DEFAULT_REGISTRY)["mitxonline_app"]

    first = {
        r.table.split(".")[-1]: r
        for r in load_app_database(source, url=app_db, catalog=catalog, settings=settings)
    }
    for entity, count in expected.items():
        table = lake_table(catalog, entity)
        assert table.num_rows == count, entity
        assert pc.count_distinct(table.column("id")).as_py() == count, entity
        assert set(AIRBYTE_COLUMNS) <= set(table.column_names)
        assert first[f"raw__mitxonline__app__postgres__{entity}"].rows_in_batch == count

    users = lake_table(catalog, "users_user")
    assert str(users.schema.field("updated_on").type) == "timestamp[us, tz=UTC]"
    assert users.column("_airbyte_raw_id").null_count == 0
    assert users.column("_airbyte_meta").to_pylist()[0]["changes"] == []

    # A rerun with nothing changed re-reads only the rows at the cursor boundary, and the
    # lake already holds them: nothing is written.
    rerun = load_app_database(source, url=app_db, catalog=catalog, settings=settings)
    assert all(r.rows_in_batch < 5 for r in rerun), [(r.table, r.rows_in_batch) for r in rerun]
    assert all(r.rows_written == 0 for r in rerun), [(r.table, r.rows_written) for r in rerun]
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
