"""Fixtures of the image smoke test: the image (built by `tools/build-image.sh` with buildah,
or an existing one named by ``OLP_TEST_IMAGE``), one working container of it, and a fresh
PostgreSQL database as Airflow's metadata database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_database
from tests.image.container import Container

REPO = Path(__file__).resolve().parents[2]
IMAGE = "ol-platform:dev"


def _cannot_build(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("OLP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"the image smoke test cannot run: {reason}")
    pytest.skip(f"the image smoke test cannot run: {reason}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    if existing := os.environ.get("OLP_TEST_IMAGE"):
        return existing
    if not shutil.which("buildah") and not (os.geteuid() == 0 and shutil.which("apt-get")):
        _cannot_build("buildah is missing and cannot be installed (needs root and apt-get)")
    log = tmp_path_factory.mktemp("image") / "build.log"
    with log.open("w") as out:
        done = subprocess.run(
            ["bash", "tools/build-image.sh"],
            cwd=REPO,
            env={**os.environ, "OLP_IMAGE_BUILDER": "buildah", "IMAGE": IMAGE},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=3600,
        )
    if done.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-60:])
        pytest.fail(f"`tools/build-image.sh` failed (exit {done.returncode}):\n{tail}")
    return IMAGE


@pytest.fixture(scope="module")
def metadata_db() -> Iterator[str]:
    """A fresh PostgreSQL database for Airflow's metadata, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def container(image: str, metadata_db: str) -> Iterator[Container]:
    """A container configured as the chart configures the components (secrets as
    environment variables, FAB auth manager), at parallelism 4."""
    from cryptography.fernet import Fernet

    env = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_db,
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
        ),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__API__WORKERS": "1",
        # buildah run has no PID namespace: tini is not PID 1 there, as it is in a pod.
        "TINI_SUBREAPER": "1",
    }
    box = Container(image, env=env)
    yield box
    box.remove()
