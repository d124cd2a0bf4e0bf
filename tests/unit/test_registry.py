"""The source registry: the shipped file is valid, and malformed entries are reported precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ol_platform.sources.models import Cadence, Tag
from ol_platform.sources.registry import DEFAULT_REGISTRY, RegistryError, load_registry

GOOD = {
    "name": "good_app",
    "title": "A good app",
    "owner": "data-platform",
    "transport": "airbyte",
    "cadence": "6h",
    "system": "good",
    "subsystem": "app",
    "storage": "postgres",
    "tables": [{"entity": "users", "primary_key": ["id"], "cursor": "updated_on"}],
    "airbyte": {"connections": ["good_app_postgres"]},
    "local": {"loader": "app_database", "sample": "good", "conn_id": "good_db"},
}

REFERENCE_SOURCES = {
    "bootcamps_app", "canvas", "irx", "forums", "mit_climate", "mitpe", "oll", "podcasts",
    "mitlearn_app", "mitxonline_openedx", "mitxonline_app", "mailgun", "micromasters_app",
    "ocw_studio_app", "odl_video", "salesforce", "sloan_exec_ed", "tracking_logs",
    "edxorg_archives", "xpro",
}  # fmt: skip


def write(tmp_path: Path, *entries: dict) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": list(entries)}))
    return path


def test_shipped_registry_is_valid_and_keeps_every_reference_source():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry.errors == {}
    # A subset, not the exact list: adding a source must not break this test.
    assert set(registry.sources) >= REFERENCE_SOURCES


def test_an_added_source_loads_beside_the_shipped_ones(tmp_path):
    shipped = set(load_registry(DEFAULT_REGISTRY).sources)
    data = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    data["sources"].append(GOOD)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data))
    registry = load_registry(path)
    assert registry.errors == {}
    assert set(registry.sources) == shipped | {"good_app"}
    assert registry["good_app"].raw_table_names() == ["raw__good__app__postgres__users"]


def test_raw_table_names_follow_the_naming_scheme():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry["mitxonline_app"].raw_table_names() == [
        "raw__mitxonline__app__postgres__courses_course",
        "raw__mitxonline__app__postgres__courses_courserun",
        "raw__mitxonline__app__postgres__users_user",
        "raw__mitxonline__app__postgres__courses_courserunenrollment",
    ]
    assert registry["mit_climate"].raw_table_names() == ["raw__mit_climate__api__articles"]
    assert "raw__edxorg__s3__tables__auth_user" in registry["edxorg_archives"].raw_table_names()
    assert "raw__xpro__openedx__mysql__auth_user" in registry["xpro"].raw_table_names()
    assert "raw__irx__edxorg__bigquery__user_info_combo" in registry["irx"].raw_table_names()


def test_schedule_is_derived_from_cadence():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry["odl_video"].schedule == "*/10 * * * *"
    assert registry["mitxonline_app"].schedule == "0 */6 * * *"
    assert registry["xpro"].schedule == "0 */12 * * *"
    assert registry["mit_climate"].schedule == Cadence.DAILY.cron


def test_tags_come_from_the_fixed_set():
    allowed = {t.value for t in Tag}
    for source in load_registry(DEFAULT_REGISTRY).sources.values():
        assert set(source.all_tags) <= allowed, source.name


MALFORMED = [
    ("bad cadence", {"cadence": "3h"}, "cadence", "'3h'"),
    ("unknown transport", {"transport": "ftp"}, "transport", "'ftp'"),
    ("missing title", {"title": None}, "title", ""),
    ("unknown field", {"schedual": "daily"}, "schedual", "not a known setting"),
    ("airbyte without connections", {"airbyte": None}, "(entry)", "needs an 'airbyte' block"),
    ("dlt with an airbyte block", {"transport": "dlt"}, "(entry)", "takes no 'airbyte' block"),
    ("upper-case entity", {"tables": [{"entity": "Users"}]}, "tables.0.entity", "'Users'"),
    ("bad storage", {"storage": "oracle"}, "storage", "'oracle'"),
    ("negative retries", {"retries": -1}, "retries", "-1"),
    ("tables without storage", {"storage": None}, "(entry)", "needs a 'storage'"),
    ("duplicate table", {"tables": [{"entity": "users"}, {"entity": "users"}]}, "(entry)", "twice"),
    ("unknown tag", {"tags": ["misc"]}, "tags.0", "'misc'"),
    ("local without loader", {"local": {"sample": "x"}}, "local.loader", "required"),
]


@pytest.mark.parametrize(
    ("case", "change", "field", "detail"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_entry_is_reported_with_file_source_and_field(
    tmp_path, case, change, field, detail
):
    bad = {**GOOD, "name": "bad_app", **change}
    bad = {k: v for k, v in bad.items() if v is not None or k not in change}
    path = write(tmp_path, GOOD, bad)
    registry = load_registry(path)
    assert set(registry.sources) == {"good_app"}, "the valid entry must still load"
    message = registry.errors["bad_app"]
    assert str(path) in message
    assert "source 'bad_app'" in message
    assert f"field '{field}'" in message
    assert detail in message


def test_duplicate_source_names_are_rejected(tmp_path):
    path = write(tmp_path, GOOD, GOOD)
    registry = load_registry(path)
    assert "good_app" not in registry.sources
    assert "defined twice" in registry.errors["good_app"]


def test_unreadable_registry_names_the_file(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: [unclosed")
    with pytest.raises(RegistryError, match=str(path)):
        load_registry(path)
    path.write_text("just a string")
    with pytest.raises(RegistryError, match="'sources' list"):
        load_registry(path)
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.yaml")


def test_lookup_of_a_broken_entry_raises_its_error(tmp_path):
    path = write(tmp_path, {**GOOD, "cadence": "hourly"})
    registry = load_registry(path)
    with pytest.raises(RegistryError, match="field 'cadence'"):
        registry["good_app"]
