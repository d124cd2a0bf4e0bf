"""The dbt raw sources follow the registry: every raw table, freshness from the cadence."""

from __future__ import annotations

import yaml

from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry
from ol_platform.transform import dbt_sources


def test_the_committed_sources_file_is_generated_from_the_registry():
    registry = load_registry(DEFAULT_REGISTRY)
    assert dbt_sources.SOURCES_YML.read_text() == dbt_sources.render(registry), (
        "models/staging/_sources.yml is out of date: run `uv run olp dbt-sources`"
    )


def test_every_raw_table_is_a_source_with_freshness_from_its_cadence():
    registry = load_registry(DEFAULT_REGISTRY)
    document = yaml.safe_load(dbt_sources.render(registry))
    tables = {t["name"]: t for t in document["sources"][0]["tables"]}
    assert set(tables) == {n for s in registry.sources.values() for n in s.raw_table_names()}
    # ODL Video loads every 10 minutes: warn after two missed loads, error after four.
    videos = tables["raw__odl_video__api__videos"]
    assert videos["loaded_at_field"] == "updated_at"
    assert videos["freshness"]["warn_after"] == {"count": 20, "period": "minute"}
    assert videos["freshness"]["error_after"] == {"count": 40, "period": "minute"}
    enrollments = tables["raw__mitxonline__app__postgres__courses_courserunenrollment"]
    assert enrollments["loaded_at_field"] == "_airbyte_extracted_at"
    assert enrollments["freshness"]["warn_after"] == {"count": 12, "period": "hour"}


def test_the_check_command_fails_on_drift(tmp_path, monkeypatch, capsys):
    from ol_platform.cli.main import main

    stale = tmp_path / "_sources.yml"
    stale.write_text("version: 2\n")
    monkeypatch.setattr(dbt_sources, "SOURCES_YML", stale)
    assert main(["dbt-sources", "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["dbt-sources"]) == 0
    assert main(["dbt-sources", "--check"]) == 0
