"""Turn Airflow connections into what the loaders take (SQLAlchemy URLs, base URLs)."""

from __future__ import annotations

from typing import Protocol

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
