"""Which columns hold personal data, and the check that each carries a PII tag for OpenMetadata."""

from __future__ import annotations

import pytest

from ol_platform.catalog.pii import (
    NON_SENSITIVE,
    SENSITIVE,
    classify,
    declared_tags,
    untagged_personal_columns,
)


@pytest.mark.parametrize(
    ("column", "data_type", "expected"),
    [
        ("user_email", "varchar", SENSITIVE),
        ("emailevent_recipient_email", "varchar", SENSITIVE),
        ("user_username", "varchar", SENSITIVE),
        ("user_full_name", "varchar", SENSITIVE),
        ("user_first_name", "varchar", SENSITIVE),
        ("useractivity_ip", "varchar", SENSITIVE),
        ("client_address", "varchar", SENSITIVE),
        ("user_year_of_birth", "integer", SENSITIVE),
        ("user_date_of_birth", "date", SENSITIVE),
        ("contact_phone", "varchar", SENSITIVE),
        ("profile_postal_code", "varchar", SENSITIVE),
        ("remote_host", "inet", SENSITIVE),
        ("user_id", "bigint", NON_SENSITIVE),
        ("openedx_user_id", "bigint", NON_SENSITIVE),
        ("learner_id", "bigint", NON_SENSITIVE),
        # Names that contain a personal word but hold no personal data.
        ("emailevent_id", "varchar", None),
        ("emailoptin_is_opted_in", "boolean", None),
        ("course_title", "varchar", None),
        ("courserun_id", "bigint", None),
        ("platform_name", "varchar", None),
    ],
)
def test_personal_columns_are_recognised_by_name_and_type(column, data_type, expected):
    assert classify(column, data_type) == expected


def _node(schema: str, columns: dict) -> dict:
    return {"resource_type": "model", "name": "m", "schema": schema, "columns": columns}


def _catalog(*names: str) -> dict:
    return {"nodes": {"model.p.m": {"columns": {n: {"type": "VARCHAR"} for n in names}}}}


def test_an_untagged_email_column_in_staging_is_reported_with_the_tag_it_needs():
    manifest = {"nodes": {"model.p.m": _node("ol_warehouse_local_staging", {})}}
    missing = untagged_personal_columns(manifest, _catalog("user_email", "user_id", "title"))
    assert [(c.column, c.expected) for c in missing] == [
        ("user_email", SENSITIVE),
        ("user_id", NON_SENSITIVE),
    ]
    assert "m.user_email (VARCHAR): expected PII.Sensitive" in str(missing[0])


@pytest.mark.parametrize(
    "column",
    [
        {"meta": {"openmetadata": {"tags": [SENSITIVE]}}},
        {"config": {"meta": {"openmetadata": {"tags": [NON_SENSITIVE]}}}},
    ],
)
def test_a_tagged_column_passes_whether_meta_is_top_level_or_in_config(column):
    manifest = {"nodes": {"model.p.m": _node("s_staging", {"user_email": column})}}
    assert untagged_personal_columns(manifest, _catalog("USER_EMAIL")) == []
    assert declared_tags(column) & {SENSITIVE, NON_SENSITIVE}


def test_other_tags_do_not_count_and_other_layers_are_checked_only_when_asked():
    column = {"meta": {"openmetadata": {"tags": ["Tier.Tier1"]}}, "tags": ["pii"]}
    staging = {"nodes": {"model.p.m": _node("s_staging", {"user_email": column})}}
    assert len(untagged_personal_columns(staging, _catalog("user_email"))) == 1
    mart = {"nodes": {"model.p.m": _node("s_mart", {})}}
    assert untagged_personal_columns(mart, _catalog("user_email")) == []
    assert len(untagged_personal_columns(mart, _catalog("user_email"), ("mart",))) == 1
