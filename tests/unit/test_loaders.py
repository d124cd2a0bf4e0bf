"""Every registry source has a local loader; one that names a missing loader fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ol_platform.ingest.loaders import LOADERS, LoaderNotImplementedError, run_local_loader
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


def test_every_source_that_lands_raw_tables_has_a_local_loader():
    # A course export lands its course structure itself, from the archives it exported.
    registry = load_registry(DEFAULT_REGISTRY)
    missing = {
        name: source.local.loader
        for name, source in registry.sources.items()
        if source.tables and source.local.loader not in (*LOADERS, "openedx_export")
    }
    assert missing == {}


def _registry_with_unknown_loader(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    entry = next(s for s in data["sources"] if s["name"] == "odl_video")
    entry["local"]["loader"] = "not_written_yet"
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_an_unknown_loader_is_refused_when_the_registry_is_validated(tmp_path):
    registry = load_registry(_registry_with_unknown_loader(tmp_path))
    assert "odl_video" not in registry.sources
    assert (
        "field 'local.loader': 'not_written_yet' is not a known loader"
        in (registry.errors["odl_video"])
    )


def test_a_source_without_a_local_loader_fails_with_a_clear_error(catalog, settings):
    """Defence in depth: a Source built without the registry's checks still fails loudly."""
    source = load_registry(DEFAULT_REGISTRY)["odl_video"]
    source = source.model_copy(
        update={"local": source.local.model_copy(update={"loader": "not_written_yet"})}
    )
    with pytest.raises(
        LoaderNotImplementedError,
        match="source 'odl_video': the local loader 'not_written_yet' is not yet implemented",
    ):
        run_local_loader(source, catalog=catalog, settings=settings, resolve=lambda c: None)


def test_the_ingest_task_fails_without_retries_on_an_entry_broken_since_the_parse(tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.orchestration.ingest_dag import extract_load

    with pytest.raises(AirflowFailException, match="field 'local.loader'"):
        extract_load.function("odl_video", str(_registry_with_unknown_loader(tmp_path)))
