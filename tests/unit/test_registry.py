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
    "bootcamps_app", "canvas_course_exports", "mitxonline_course_exports", "xpro_course_exports",
    "mitx_course_exports", "irx", "forums", "mit_climate", "mitpe", "oll", "podcasts",
    "mitlearn_app", "mitxonline_openedx", "mitxonline_app", "mailgun", "micromasters_app",
    "ocw_studio_app", "odl_video", "salesforce", "sloan_exec_ed", "tracking_logs",
    "edxorg_archives", "xpro",
}  # fmt: skip


class NoAliasDumper(yaml.SafeDumper):
    """Writes shared Python objects out in full: the registry refuses YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=NoAliasDumper, sort_keys=False)


def write(tmp_path: Path, *entries: dict, **top) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(dump({**top, "sources": list(entries)}))
    return path


def test_shipped_registry_is_valid_and_covers_every_reference_source():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry.errors == {}
    assert set(registry.sources) == REFERENCE_SOURCES


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
    ("airbyte without connections", {"airbyte": None}, None, "needs an 'airbyte' block"),
    ("dlt with an airbyte block", {"transport": "dlt"}, None, "takes no 'airbyte' block"),
    ("upper-case entity", {"tables": [{"entity": "Users"}]}, "tables.0.entity", "'Users'"),
    ("bad storage", {"storage": "oracle"}, "storage", "'oracle'"),
    ("negative retries", {"retries": -1}, "retries", "-1"),
    ("tables without storage", {"storage": None}, None, "needs a 'storage'"),
    ("duplicate table", {"tables": [{"entity": "users"}, {"entity": "users"}]}, None, "twice"),
    ("unknown tag", {"tags": ["misc"]}, "tags.0", "'misc'"),
    ("local without loader", {"local": {"sample": "x"}}, "local.loader", "required"),
    ("unknown loader", {"local": {"loader": "app_databse"}}, "local.loader", "not a known loader"),
    ("export with an ingest loader", {"transport": "course_export", "airbyte": None}, "local.loader",
     "not a known loader"),
]  # fmt: skip


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
    if field:
        assert f"field '{field}'" in message
    assert detail in message


def test_a_duplicate_source_name_breaks_the_later_entry_only(tmp_path):
    path = write(tmp_path, GOOD, {**GOOD, "title": "copy"})
    registry = load_registry(path)
    assert registry["good_app"].title == "A good app"
    [broken] = registry.broken
    assert broken.key == "broken__entry_1", "the DAG id must not collide with the first entry's"
    assert "field 'name': already used by entry #0" in broken.message


def test_lookup_of_a_broken_entry_raises_its_error(tmp_path):
    path = write(tmp_path, {**GOOD, "cadence": "hourly"})
    registry = load_registry(path)
    with pytest.raises(RegistryError, match="field 'cadence'"):
        registry["good_app"]
