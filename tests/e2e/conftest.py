"""One demo for the whole e2e package: the chain's assertions and the browser test look at the
same run, and its Airflow stays up until the package's last test is done."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ol_platform.cli.demo import Summary, live_demo
from ol_platform.settings import Settings
from tests.conftest import fresh_postgres_database, isolate_environment


@dataclass(frozen=True)
class LiveDemo:
    settings: Settings
    summary: Summary
    airflow_url: str


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The whole demo, run once under a real Airflow on PostgreSQL, with its Airflow live."""
    root = tmp_path_factory.mktemp("demo")
    settings = Settings(env="local", home=root / "olp")
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        fresh_postgres_database() as db_url,
    ):
        isolate_environment(root, monkeypatch)
        with live_demo(settings, db_url=db_url) as (summary, airflow):
            yield LiveDemo(settings=settings, summary=summary, airflow_url=airflow.url)
