"""Every registry source has a local loader; one that names a missing loader fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ol_platform.ingest.loaders import LOADERS, LoaderNotImplementedError, run_local_loader
from ol_platform.sources.models import Transport
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


def test_every_source_that_lands_raw_tables_has_a_local_loader():
    registry = load_registry(DEFAULT_REGISTRY)
    missing = {
        name: source.local.loader
        for name, source in registry.sources.items()
        if source.tables and source.local.loader not in LOADERS
    }
    assert missing == {}


def _registry_with_unknown_loader(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    entry = next(s for s in data["sources"] if s["name"] == "odl_video")
    entry["local"]["loader"] = "not_written_yet"
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_source_without_a_local_loader_fails_with_a_clear_error(catalog, settings, tmp_path):
    source = load_registry(_registry_with_unknown_loader(tmp_path))["odl_video"]
    assert source.transport is Transport.API_TASK
    with pytest.raises(
        LoaderNotImplementedError,
        match="source 'odl_video': the local loader 'not_written_yet' is not yet implemented",
    ):
        run_local_loader(source, catalog=catalog, settings=settings, resolve=lambda c: None)


def test_the_ingest_task_turns_it_into_a_failure_without_retries(tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.orchestration.ingest_dag import extract_load

    with pytest.raises(AirflowFailException, match="not yet implemented"):
        extract_load.function("odl_video", str(_registry_with_unknown_loader(tmp_path)))
