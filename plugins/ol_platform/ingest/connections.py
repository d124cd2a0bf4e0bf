"""Turn Airflow connections into what the platform takes (SQLAlchemy URLs, base URLs, extras,
AWS keys), and keep their secrets out of task logs."""

from __future__ import annotations

import base64
import contextlib
import json
import sys
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import quote, quote_plus, unquote, urlsplit

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
    rendered = url.render_as_string(hide_password=False)
    if conn.password:
        # SQLAlchemy escapes only some characters ("+" and " " stay), so neither quote() nor
        # quote_plus() gives its spelling: take it from the URL it rendered.
        mask_credentials(conn.login, conn.password, _rendered_password(url), rendered)
    return rendered


def _rendered_password(url: URL) -> str:
    shown, hidden = url.render_as_string(hide_password=False), url.render_as_string()
    before, _, after = hidden.partition("***")
    return shown[len(before) : len(shown) - len(after)]


def http_base_url(conn: ConnectionLike) -> str:
    host = (conn.host or "").rstrip("/")
    if not host:
        raise ValueError(f"connection '{conn.conn_id}': an HTTP connection needs a host")
    mask_url(host)  # credentials written into the host
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


def secret_forms(secret: str) -> set[str]:
    """The spellings of ``secret`` a log line can carry: as given, percent-encoded as a URL
    path, query or form value (``quote``, ``quote_plus``), and escaped inside a JSON or a
    Python string literal (a config or dict dumped to a log)."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        quote_plus(secret, safe="/"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
    }
    return {form for form in forms if form}


def basic_auth_forms(login: str, secret: str) -> set[str]:
    """``login:secret`` as an ``Authorization: Basic`` header carries it (base64 of UTF-8, as
    httpx sends it, or of Latin-1, as requests does), and with each part form-encoded first,
    as OAuth2's ``client_secret_basic`` asks (RFC 6749 2.3.1)."""
    forms = set()
    for pair in (f"{login}:{secret}", f"{quote_plus(login)}:{quote_plus(secret)}"):
        for encoding in ("utf-8", "latin-1"):
            with contextlib.suppress(UnicodeEncodeError):
                forms.add(base64.b64encode(pair.encode(encoding)).decode("ascii"))
    return forms


def mask_secret(secret: str | None, *also: str) -> None:
    """Register every form of ``secret`` with Airflow's secrets masker, plus ``also``: strings
    built around it that the masker cannot derive (a URL holding it, its spelling in that URL).

    Inside a task this reaches the supervisor too (``airflow.sdk.log.mask_secret``), so the
    secret is hidden in the task log whichever process writes the line. Outside Airflow (CLI,
    tests) there is no task log to protect, and importing Airflow only for this would cost
    seconds and make dlt consult Airflow Variables.
    """
    if not secret or "airflow.sdk" not in sys.modules:
        return
    _register([*secret_forms(secret), *also])


def mask_credentials(login: str | None, secret: str | None, *also: str) -> None:
    """``mask_secret`` for a login/secret pair: also its HTTP Basic header forms."""
    if not secret:
        return
    mask_secret(secret, *also, *(basic_auth_forms(login, secret) if login else ()))


def mask_url(url: str) -> None:
    """Mask the password a URL carries (``scheme://user:password@host``), decoded and as
    written, and the URL itself."""
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.password:
            login, secret = unquote(parts.username or ""), unquote(parts.password)
            mask_credentials(login, secret, parts.password, url)


def _register(values: Iterable[str]) -> None:
    if "airflow.sdk" not in sys.modules:
        return
    with contextlib.suppress(Exception):  # the masker is a safety net, never a failure
        from airflow.sdk.log import mask_secret as airflow_mask

        airflow_mask(sorted(set(values)))  # one message to the supervisor


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
    mask_credentials(conn.login, conn.password)
    return conn.login, conn.password
