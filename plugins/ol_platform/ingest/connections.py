"""Turn Airflow connections into what the platform takes (SQLAlchemy URLs, base URLs, extras,
AWS keys), and keep their secrets out of task logs."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, Protocol

from sqlalchemy.engine import URL

DRIVERS = {
    "postgres": "postgresql+psycopg2",
    "postgresql": "postgresql+psycopg2",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}


class ConnectionLike(Protocol):
    conn_id: str
    conn_type: str
    host: str | None
    login: str | None
    password: str | None
    port: int | None
    schema: str | None


def sqlalchemy_url(conn: ConnectionLike) -> str:
    """SQLAlchemy URL of a database connection; for ``sqlite`` the host is the file path."""
    if conn.conn_type == "sqlite":
        if not conn.host:
            raise ValueError(
                f"connection '{conn.conn_id}': a sqlite connection needs the file path as host"
            )
        return f"sqlite:///{conn.host}"
    driver = DRIVERS.get(conn.conn_type)
    if driver is None:
        raise ValueError(
            f"connection '{conn.conn_id}': type '{conn.conn_type}' is not a supported application "
            f"database (one of sqlite, {', '.join(DRIVERS)})"
        )
    url = URL.create(
        driver,
        username=conn.login or None,
        password=conn.password or None,
        host=conn.host,
        port=conn.port,
        database=conn.schema or None,
    )
    return url.render_as_string(hide_password=False)


def http_base_url(conn: ConnectionLike) -> str:
    host = (conn.host or "").rstrip("/")
    if not host:
        raise ValueError(f"connection '{conn.conn_id}': an HTTP connection needs a host")
    if "://" not in host:
        host = f"{conn.schema or 'http'}://{host}"
    return f"{host}:{conn.port}" if conn.port else host


def connection_extra(conn: ConnectionLike) -> dict[str, Any]:
    """The connection's ``extra`` as a dict (Airflow's parsed ``extra_dejson``, a JSON string, a
    dict, or nothing: ``ConnectionLike`` does not promise the field)."""
    parsed = getattr(conn, "extra_dejson", None)
    if isinstance(parsed, dict):
        return parsed
    raw = getattr(conn, "extra", None)
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"connection '{conn.conn_id}': 'extra' is not JSON ({exc})") from None
        return value if isinstance(value, dict) else {}
    return {}


def mask_secret(value: str) -> None:
    """Register ``value`` with Airflow's secrets masker when running inside Airflow.

    Outside Airflow (CLI, tests) there is no task log to protect, and importing Airflow only
    for this would cost seconds and make dlt consult Airflow Variables.
    """
    if "airflow.sdk" not in sys.modules:
        return
    with contextlib.suppress(Exception):  # the masker is a safety net, never a failure
        from airflow.sdk.log import mask_secret as airflow_mask

        airflow_mask(value)


def aws_key_pair(conn: ConnectionLike) -> tuple[str, str] | None:
    """(access key id, secret key) from login/password, masked in logs; None to use the
    worker's own AWS identity. Half a pair is a configuration error."""
    if not (conn.login or conn.password):
        return None
    if not (conn.login and conn.password):
        raise ValueError(
            f"connection '{conn.conn_id}': give both the access key id (login) and the "
            "secret access key (password), or neither to use the worker's AWS identity"
        )
    mask_secret(conn.password)
    return conn.login, conn.password
