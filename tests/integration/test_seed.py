"""Sample data never reaches a real lake, and `olp seed` reports per source.

Every path that writes sample or simulator data (olp seed, the demo's sample systems, the
sample loaders an ingest task runs) refuses outside OLP_ENV local/ci with one line saying
what, where and what to do. A source whose sample data is missing costs only that source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ol_platform.cli.main import main
from ol_platform.ingest.loaders import run_local_loader
from ol_platform.samples.fixture_records import FIXTURES
from ol_platform.samples.systems import sample_systems
from ol_platform.settings import SampleDataRefused, Settings
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry


@pytest.fixture
def production_catalog(tmp_path, monkeypatch) -> Path:
    """A production-like catalog configured the way production configures it."""
    db = tmp_path / "prod-catalog.db"
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__TYPE", "sql")
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__URI", f"sqlite:///{db}")
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__WAREHOUSE", f"file://{tmp_path / 'prod-wh'}")
    return db


@pytest.mark.parametrize("env", ["production", "qa"])
def test_olp_seed_refuses_outside_local_and_ci_and_writes_nothing(
    env, tmp_path, monkeypatch, capsys, production_catalog
):
    monkeypatch.setenv("OLP_ENV", env)
    assert main(["seed"]) == 2
    out, err = capsys.readouterr()
    [line] = err.splitlines()
    assert line.startswith("olp seed: refused: olp seed writes sample data")
    assert f"OLP_ENV={env}" in line and "set OLP_ENV=local" in line
    assert "Traceback" not in out + err
    assert not production_catalog.exists(), "the catalog was touched"
    assert not (tmp_path / "prod-wh").exists()
    assert not (tmp_path / "olp" / "samples").exists(), "sample systems were built"


def test_the_demo_sample_systems_refuse_outside_local_and_ci(tmp_path):
    settings = Settings(env="production", home=tmp_path / "olp")
    registry = load_registry(DEFAULT_REGISTRY)
    with (
        pytest.raises(SampleDataRefused, match="OLP_ENV=production"),
        sample_systems(settings, registry),
    ):
        pass
    assert not settings.samples_dir.exists()


class Reached(Exception):
    """The loader got past the guard and asked for its connection."""


def _resolve(conn_id: str):
    raise Reached(conn_id)


@pytest.mark.parametrize("name", ["xpro", "irx", "tracking_logs"])
def test_sample_loaders_refuse_in_production_at_dispatch(name, tmp_path):
    """The stand-ins for Airbyte syncs write sample data: refused whoever calls them."""
    source = load_registry(DEFAULT_REGISTRY)[name]
    settings = Settings(env="production", home=tmp_path / "olp")
    with pytest.raises(SampleDataRefused, match=f"source '{name}': the sample loader"):
        run_local_loader(source, catalog=None, settings=settings, resolve=_resolve)
    assert not settings.home.exists()


def test_real_loaders_of_non_airbyte_sources_still_run_in_production(tmp_path):
    """MIT Climate reads the real API in production: its loader is not a sample writer."""
    source = load_registry(DEFAULT_REGISTRY)["mit_climate"]
    settings = Settings(env="production", home=tmp_path / "olp")
    with pytest.raises(Reached, match="mit_climate_api"):
        run_local_loader(source, catalog=None, settings=settings, resolve=_resolve)


def test_one_source_with_missing_sample_data_fails_alone(tmp_path, monkeypatch, capsys, catalog):
    shipped = {s["name"]: s for s in yaml.safe_load(DEFAULT_REGISTRY.read_text())["sources"]}
    irx, mailgun, micromasters = shipped["irx"], shipped["mailgun"], shipped["micromasters_app"]
    missing_fixture = {**mailgun, "local": {**mailgun["local"], "sample": "no_such_fixture"}}
    missing_db = {
        **micromasters,
        "local": {**micromasters["local"], "sample": "no_such_database"},
    }
    bad_entry = {**shipped["oll"], "cadence": "3h"}
    path = tmp_path / "sources.yaml"
    defaults = {"owner": "data-platform"}
    path.write_text(
        yaml.safe_dump(
            {"defaults": defaults, "sources": [missing_fixture, irx, missing_db, bad_entry]}
        )
    )
    monkeypatch.setenv("OLP_REGISTRY", str(path))

    assert main(["seed"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 4, out  # one line per source, no progress output
    assert lines.pop(0).startswith(f"FAILED {path}: source 'oll': field 'cadence': '3h'")
    assert lines[0].startswith("FAILED source 'mailgun': field 'local.sample': no fixture")
    irx_rows = sum(len(rows) for rows in FIXTURES["irx_bigquery"](7).values())
    assert lines[1].split()[:4] == ["irx", str(irx_rows), "rows", "in"]
    assert lines[2].startswith("FAILED source 'micromasters_app': sample data: field ")
    assert "no_such_database" in lines[2]
    assert err.splitlines()[-1] == "olp seed: 3 source(s) failed: mailgun, micromasters_app, oll"
    assert "Traceback" not in out + err
    landed = {t for _, t in catalog.list_tables("ol_warehouse_local_raw")}
    assert landed == set(load_registry(DEFAULT_REGISTRY)["irx"].raw_table_names())


def test_unknown_olp_env_is_one_line_without_traceback(monkeypatch, capsys):
    monkeypatch.setenv("OLP_ENV", "staging")
    assert main(["sources"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "olp sources: OLP_ENV=staging is not an environment: set it to one of local, ci, qa, "
        "production"
    ]
