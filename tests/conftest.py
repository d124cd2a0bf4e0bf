"""Shared fixtures: an isolated platform home, the lake catalog, and the real databases.

PostgreSQL and MariaDB tests skip with a reason when the servers are absent; with
``OLP_REQUIRE_SERVICES=1`` (CI) an absent server fails the test instead.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ol_platform.settings import Settings

# Airflow reads its home at import: keep the test session's away from ~/airflow.
os.environ.setdefault(
    "AIRFLOW_HOME", str(Path(__file__).resolve().parents[1] / ".olp" / "test-airflow")
)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

PG_ADMIN_URL = os.environ.get(
    "OLP_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get("OLP_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")


def isolate_environment(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's catalog config or writes to the checkout's .olp/."""
    for key in list(os.environ):
        if key.startswith("PYICEBERG_CATALOG__"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("OLP_HOME", str(root / "olp"))
    monkeypatch.setenv("OLP_ENV", "local")
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(root / "dlt"))
    monkeypatch.delenv("OLP_REGISTRY", raising=False)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_environment(tmp_path, monkeypatch)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(env="local", home=tmp_path / "olp")


@pytest.fixture
def catalog(settings: Settings):
    from ol_platform.lake.catalog import get_catalog

    return get_catalog(settings)


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({type(exc).__name__}: {exc})"
    if os.environ.get("OLP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}; OLP_REQUIRE_SERVICES=1 makes it required")
    pytest.skip(message)


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped on exit."""
    name = f"olp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        _unavailable("PostgreSQL on 127.0.0.1:5432", exc)
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty MariaDB database for one test, dropped afterwards."""
    name = f"olp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(MARIADB_ADMIN_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
    except sa.exc.OperationalError as exc:
        _unavailable("MariaDB on 127.0.0.1:3306", exc)
    yield (
        sa.engine.make_url(MARIADB_ADMIN_URL)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_s3(_moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Endpoint URL of an S3 server (moto, in-process, 127.0.0.1), emptied for each test.

    Credentials are dummies and no AWS profile is read, so nothing can reach real AWS; code
    under test must pass the endpoint itself (``AWS_ENDPOINT_URL`` is deliberately unset).
    """
    import urllib.request

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    # The server is shared by the session; its buckets are not.
    reset = urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    yield _moto_server
