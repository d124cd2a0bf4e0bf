"""A load killed with SIGKILL in the middle of a commit, then rerun, leaves the lake exactly as
one clean run would; and the Iceberg catalog works as a SQL catalog on real PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pyarrow as pa
import pytest
import sqlalchemy as sa
from pyiceberg.catalog import load_catalog

from ol_platform.ingest.airbyte_shape import AIRBYTE_COLUMNS
from ol_platform.ingest.app_database import load_app_database
from ol_platform.lake.catalog import get_catalog
from ol_platform.lake.writer import WriteDisposition, commit
from ol_platform.samples import mitxonline_app
from ol_platform.samples.mitxonline_app import SampleSize
from ol_platform.settings import Settings
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry

SIZE = SampleSize(users=500, enrollments=1200)

CHILD = """
import os, sys, time
from pathlib import Path
import pyiceberg.table
from ol_platform.ingest.app_database import load_app_database
from ol_platform.lake.catalog import get_catalog
from ol_platform.settings import Settings
from ol_platform.sources.registry import load_registry

appends = 0
original = pyiceberg.table.Transaction.append

def append_then_hang(self, *args, **kwargs):
    global appends
    appends += 1
    if appends == 3:  # two tables committed; the third is mid-transaction
        original(self, *args, **kwargs)
        Path(sys.argv[3]).write_text("hanging")
        time.sleep(600)
    return original(self, *args, **kwargs)

pyiceberg.table.Transaction.append = append_then_hang
settings = Settings("local", Path(sys.argv[1]))
load_app_database(load_registry()["mitxonline_app"], url=sys.argv[2],
                  catalog=get_catalog(settings), settings=settings)
"""


def snapshot_of(catalog, source) -> dict[str, list[dict]]:
    """Table contents without the per-extraction Airbyte columns, sorted by primary key."""
    out = {}
    for spec in source.tables:
        raw = source.raw_table_name(spec)
        table = catalog.load_table(f"ol_warehouse_local_raw.{raw}").scan().to_arrow()
        table = table.drop_columns(list(AIRBYTE_COLUMNS))
        out[raw] = table.sort_by([(key, "ascending") for key in spec.primary_key]).to_pylist()
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def app_db(request, tmp_path) -> str:
    """dlt reads SQLite; PostgreSQL takes the COPY path streamed into the commit."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_rerun_after_sigkill_mid_load_leaves_no_duplicates_and_no_loss(tmp_path, app_db):
    db = app_db
    mitxonline_app.build(sa.create_engine(db), size=SIZE)
    source = load_registry(DEFAULT_REGISTRY)["mitxonline_app"]

    killed_home, marker = tmp_path / "killed", tmp_path / "hanging"
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    child = subprocess.Popen([sys.executable, str(script), str(killed_home), db, str(marker)])
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert child.poll() is None, "the loader exited before reaching the kill point"
        assert time.monotonic() < deadline, "the loader never reached the kill point"
        time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    killed = Settings("local", killed_home)
    catalog = get_catalog(killed)
    landed = [t for _, t in catalog.list_tables("ol_warehouse_local_raw")]
    assert len(landed) < len(source.tables), "the kill must interrupt the load"
    load_app_database(source, url=db, catalog=catalog, settings=killed)

    clean = Settings("local", tmp_path / "clean")
    clean_catalog = get_catalog(clean)
    load_app_database(source, url=db, catalog=clean_catalog, settings=clean)
    assert snapshot_of(catalog, source) == snapshot_of(clean_catalog, source)


def test_sql_catalog_on_postgresql(postgres_url, tmp_path):
    catalog = load_catalog(
        "olp_pg", type="sql", uri=postgres_url, warehouse=f"file://{tmp_path / 'warehouse'}"
    )
    identifier = "ol_warehouse_ci_raw.raw__test__api__things"
    batch = pa.table({"id": [1, 2, 3], "v": ["a", "b", "c"]})
    for _ in range(2):
        commit(catalog, identifier, batch, disposition=WriteDisposition.MERGE, primary_key=["id"])
    commit(
        catalog,
        identifier,
        pa.table({"id": [3, 4], "v": ["C", "d"]}),
        disposition=WriteDisposition.MERGE,
        primary_key=["id"],
    )
    rows = sorted(
        catalog.load_table(identifier).scan().to_arrow().to_pylist(), key=lambda r: r["id"]
    )
    assert rows == [
        {"id": 1, "v": "a"},
        {"id": 2, "v": "b"},
        {"id": 3, "v": "C"},
        {"id": 4, "v": "d"},
    ]
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        names = conn.execute(sa.text("select table_name from iceberg_tables")).scalars().all()
    engine.dispose()
    assert names == ["raw__test__api__things"], "the catalog lives in PostgreSQL"
