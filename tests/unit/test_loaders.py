"""Sources whose local loader is not written yet fail loudly, never succeed silently."""

from __future__ import annotations

import pytest

from ol_platform.ingest.loaders import LOADERS, LoaderNotImplementedError, run_local_loader
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


def test_every_slice_source_has_a_loader():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry["mitxonline_app"].local.loader in LOADERS
    assert registry["mit_climate"].local.loader in LOADERS


def test_a_source_without_a_local_loader_fails_with_a_clear_error(catalog, settings):
    source = load_registry(DEFAULT_REGISTRY)["odl_video"]
    assert source.local.loader not in LOADERS
    with pytest.raises(
        LoaderNotImplementedError,
        match="source 'odl_video': the local loader 'odl_video' is not yet implemented",
    ):
        run_local_loader(source, catalog=catalog, settings=settings, resolve=lambda c: None)


def test_the_ingest_task_turns_it_into_a_failure_without_retries(monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    from ol_platform.orchestration.ingest_dag import extract_load

    with pytest.raises(AirflowFailException, match="not yet implemented"):
        extract_load.function("odl_video", str(DEFAULT_REGISTRY))
