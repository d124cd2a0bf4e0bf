"""The local state folder: an empty one and a moved one end in one line saying what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from ol_platform.cli.main import main
from ol_platform.lake.catalog import LakeMovedError, ensure_namespace, get_catalog
from ol_platform.settings import Settings


def _lake_with_a_raw_table(settings: Settings) -> None:
    catalog = get_catalog(settings)
    ensure_namespace(catalog, "ol_warehouse_local_raw")
    data = pa.table({"id": pa.array([1, 2], pa.int64())})
    table = catalog.create_table("ol_warehouse_local_raw.raw__x__api__things", data.schema)
    table.append(data)


def test_a_lake_copied_to_another_folder_is_refused_with_what_to_do(tmp_path: Path):
    origin = Settings(env="local", home=tmp_path / "first")
    _lake_with_a_raw_table(origin)
    moved = Settings(env="local", home=tmp_path / "second")
    shutil.copytree(origin.home, moved.home)

    with pytest.raises(LakeMovedError) as refused:
        get_catalog(moved)
    message = str(refused.value)
    assert str(origin.home) in message and str(moved.home) in message
    assert "olp seed" in message and "make clean" in message
    # The folder where it was created still works, with its rows.
    assert get_catalog(origin).load_table("ol_warehouse_local_raw.raw__x__api__things")


def test_olp_dbt_on_a_moved_lake_exits_1_naming_both_folders(tmp_path, monkeypatch, capsys):
    origin = Settings(env="local", home=tmp_path / "first")
    _lake_with_a_raw_table(origin)
    shutil.move(origin.home, tmp_path / "second")
    monkeypatch.setenv("OLP_HOME", str(tmp_path / "second"))

    assert main(["dbt", "--", "build", "-s", "staging"]) == 1
    err = capsys.readouterr().err
    assert "was created in" in err and str(origin.home) in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv", [["dbt", "--", "build", "-s", "+dim_course_run"], ["up"], ["airflow"]]
)
def test_commands_on_an_empty_state_folder_say_run_olp_seed_first(argv, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "has no raw tables yet: run `olp seed` first" in err and "make demo" in err
    assert "Traceback" not in err


def test_olp_dbt_commands_that_do_not_read_the_lake_run_on_an_empty_state_folder(capfd):
    argv = ["dbt", "--", "ls", "-s", "dim_course_run", "--resource-type", "model", "-q"]
    assert main(argv) == 0
    assert "dim_course_run" in capfd.readouterr().out
