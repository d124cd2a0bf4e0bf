"""API-, BigQuery- and S3-kind Airbyte sources fed from fixture records: every raw table lands,
Airbyte-shaped, and a rerun merges instead of duplicating."""

from __future__ import annotations

import pytest

from ol_platform.ingest.airbyte_shape import AIRBYTE_COLUMNS
from ol_platform.ingest.fixture_records import load_fixture_records
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


@pytest.mark.parametrize("name", ["irx", "xpro_partners", "forums", "mailgun", "salesforce"])
def test_fixture_source_lands_every_table_and_reruns_idempotently(name, catalog, settings):
    source = load_registry(DEFAULT_REGISTRY)[name]
    first = {
        r.table: r.total_rows
        for r in load_fixture_records(source, catalog=catalog, settings=settings)
    }
    again = {
        r.table: r.total_rows
        for r in load_fixture_records(source, catalog=catalog, settings=settings)
    }
    assert first == again
    assert len(first) == len(source.tables)
    for table, raw in zip(source.tables, source.raw_table_names(), strict=True):
        data = catalog.load_table(f"ol_warehouse_local_raw.{raw}").scan().to_arrow()
        assert data.num_rows > 0 and set(AIRBYTE_COLUMNS) <= set(data.column_names)
        keys = data.select(table.primary_key).group_by(table.primary_key).aggregate([])
        assert keys.num_rows == data.num_rows, f"{raw}: duplicate primary keys"


def test_irx_exports_share_the_edxorg_archives_learners_and_runs(catalog, settings):
    """IRx and the archives are one platform's data: the same edX.org user ids (with the same
    usernames) and the same runs, in IRx's legacy course id form."""
    from ol_platform.samples import edxorg_archives

    archive = edxorg_archives.learner_rows()
    usernames = {u["id"]: u["username"] for rows in archive.values() for u in rows["auth_user"]}
    runs = {f"MITx/{number}/{run}" for number, run in archive}

    load_fixture_records(load_registry(DEFAULT_REGISTRY)["irx"], catalog=catalog, settings=settings)
    raw = "ol_warehouse_local_raw.raw__irx__edxorg__bigquery__mitx_person_course"
    table = catalog.load_table(raw)
    rows = table.scan().to_arrow().select(["user_id", "username", "course_id"]).to_pylist()
    edxorg = [r for r in rows if r["course_id"].startswith("MITx/")]
    assert edxorg and {r["course_id"] for r in edxorg} <= runs
    shared = [r for r in edxorg if r["user_id"] in usernames]
    assert len(shared) > len(edxorg) / 2
    assert all(r["username"] == usernames[r["user_id"]] for r in shared)
    # IRx also exports other platforms' learners, which the warehouse must set apart.
    assert any(not r["course_id"].startswith("MITx/") for r in rows)


def test_xpro_partners_learners_are_xpro_learners_too(catalog, settings):
    """Emeritus and Global Alumni learners share emails with xPRO app learners and with each
    other, so the warehouse has people to link; Emeritus's placeholder email is not one."""
    from ol_platform.samples import identities

    xpro = {identities.xpro_app_email(k) for k in range(1, identities.XPRO_USERS + 1)}
    load_fixture_records(
        load_registry(DEFAULT_REGISTRY)["xpro_partners"], catalog=catalog, settings=settings
    )

    def emails(raw: str) -> set[str]:
        table = catalog.load_table(f"ol_warehouse_local_raw.{raw}")
        return set(table.scan(selected_fields=("email",)).to_arrow().column("email").to_pylist())

    emeritus = emails("raw__emeritus__bigquery__api_enrollments")
    global_alumni = emails("raw__global_alumni__bigquery__api_enrollments")
    assert emeritus & xpro and global_alumni & xpro
    assert emeritus & global_alumni
    assert "(blank)" in emeritus - xpro - global_alumni


def test_unknown_fixture_name_is_a_clear_error(catalog, settings):
    source = load_registry(DEFAULT_REGISTRY)["mailgun"]
    broken = source.model_copy(update={"local": source.local.model_copy(update={"sample": "nope"})})
    with pytest.raises(ValueError, match="source 'mailgun': field 'local.sample'"):
        load_fixture_records(broken, catalog=catalog, settings=settings)
