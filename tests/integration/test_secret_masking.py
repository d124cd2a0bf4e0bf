"""Every form a secret takes on its way out is hidden by Airflow's real secrets masker.

A password with URL-special and non-ASCII characters goes through each code path that
carries a secret (a database URL, an HTTP Basic or Bearer header, a token obtained at run time,
OpenMetadata workflow configs, the webhook secret, an export token, AWS keys, a URL with
credentials in its host); the line a log would carry is then passed through ``redact()``, and
no spelling of the secret may survive it. Each test uses its own secret, so one path's
registration cannot hide another path's leak.
"""

from __future__ import annotations

import base64
import json
import traceback
import uuid
from types import SimpleNamespace
from urllib.parse import quote, quote_plus

import airflow.sdk.log  # noqa: F401  (the masker registers only inside Airflow)
import pytest
import sqlalchemy as sa
from airflow.sdk._shared.secrets_masker import redact

SPECIAL = "p@ss:w/rd%?&=+ ü"


def new_secret() -> str:
    return f"{SPECIAL}{uuid.uuid4().hex[:6]}"


def spellings(secret: str) -> set[str]:
    """Spellings written out here, independently of the code under test."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
    }


def assert_hidden(text: str, secret: str, *other_forms: str) -> None:
    redacted = redact(text)
    for form in spellings(secret) | set(other_forms):
        assert form not in redacted, f"{form!r} survives in {redacted!r}"
    assert "***" in redacted


def conn(**fields) -> SimpleNamespace:
    base = {
        "conn_id": "c",
        "conn_type": "mysql",
        "host": "127.0.0.1",
        "login": "root",
        "password": None,
        "port": 3306,
        "schema": None,
        "extra": None,
    }
    return SimpleNamespace(**(base | fields))


def test_a_database_url_hides_the_password_in_every_spelling():
    from ol_platform.ingest.connections import sqlalchemy_url

    secret = new_secret()
    url = sqlalchemy_url(conn(password=secret, schema="app"))
    in_url = url.partition("root:")[2].rpartition("@127.0.0.1")[0]
    assert in_url and in_url != secret  # SQLAlchemy did encode it
    assert_hidden(f"connecting to {url}", secret, in_url)
    for form in spellings(secret):
        assert_hidden(f"password={form}", secret)


def test_a_refused_database_login_names_no_form_of_the_password(mariadb_url):
    """The exception a wrong password raises, through SQLAlchemy and through dlt's reader."""
    from dlt.sources.sql_database import sql_table

    from ol_platform.ingest.connections import sqlalchemy_url

    secret = new_secret()
    target = sa.engine.make_url(mariadb_url)
    url = sqlalchemy_url(
        conn(host=target.host, port=target.port, login="root", password=secret, schema="mysql")
    )
    in_url = url.partition("root:")[2].rpartition("@")[0]
    failures = []
    with pytest.raises(sa.exc.OperationalError) as info:
        sa.create_engine(url).connect()
    failures.append(info.value)
    with pytest.raises(Exception) as info:  # noqa: PT011 - dlt wraps it in its own types
        list(sql_table(credentials=url, table="user"))
    failures.append(info.value)
    for exc in failures:
        text = "".join(traceback.format_exception(exc))
        assert "Access denied" in text
        for form in spellings(secret) | {in_url}:
            assert form not in text


def test_basic_authorization_headers_are_hidden():
    import httpx
    import requests.auth

    from ol_platform.ingest.connections import mask_credentials

    secret = new_secret()
    mask_credentials("client-id", secret)
    request = httpx.Request("POST", "https://example.invalid/oauth/token")
    sent = next(httpx.BasicAuth("client-id", secret).auth_flow(request))
    headers = [
        sent.headers["Authorization"],
        requests.auth._basic_auth_str("client-id", secret),  # Latin-1, as requests sends it
        # OAuth2 client_secret_basic: each part form-encoded before base64 (RFC 6749 2.3.1)
        "Basic " + base64.b64encode(f"client-id:{quote_plus(secret)}".encode()).decode(),
    ]
    for header in headers:
        token = header.removeprefix("Basic ")
        assert_hidden(f"Authorization: {header}", secret, token)


def test_sloan_client_secret_and_its_run_time_token_are_hidden():
    import requests

    from ol_platform.ingest.sloan import ReauthenticatingClientCredentials, courses_resource
    from ol_platform.simulators.http import BackgroundServer
    from ol_platform.simulators.sloan import SloanAPI

    secret = new_secret()
    api = SloanAPI(client_id="sloan-client", client_secret=secret)
    with BackgroundServer(api.handler()) as server:
        source = SimpleNamespace(title="Sloan", name="sloan", local=SimpleNamespace(conn_id="c"))
        courses_resource(
            source, base_url=server.url, client_id="sloan-client", client_secret=secret
        )
        body = (
            requests.Request(
                "POST",
                f"{server.url}/oauth/token",
                data={"client_id": "sloan-client", "client_secret": secret},
            )
            .prepare()
            .body
        )
        assert_hidden(f"token request body: {body}", secret)

        auth = ReauthenticatingClientCredentials(
            access_token_url=f"{server.url}/oauth/token",
            client_id="sloan-client",
            client_secret=secret,
        )
        auth.obtain_token()
    token = str(auth.access_token)
    assert redact(f"Authorization: Bearer {token}") == "Authorization: Bearer ***"


def test_openmetadata_configs_carry_no_form_of_any_secret():
    from ol_platform.catalog.artifacts_upload import ArtifactsTarget
    from ol_platform.catalog.workflows import build_configs, ingest, masked

    trino_password, aws_secret = new_secret(), new_secret()
    trino = conn(
        conn_id="trino_default",
        conn_type="trino",
        host="trino.example.edu",
        port=443,
        login="om_reader",
        password=trino_password,
        extra=json.dumps({"catalog": "ol_data_lake_production"}),
    )
    target = ArtifactsTarget(
        "bucket",
        "dbt",
        {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": aws_secret},
    )
    resolve = {"trino_default": trino}.get
    configs, _ = build_configs("production", resolve, target)
    metadata, dbt = configs["metadata"], configs["dbt"]
    outcome = ingest("metadata", "production", resolve, target)
    for config in (*(masked(c) for c in configs.values()), outcome["configs"]):
        for dump in (json.dumps(config), json.dumps(config, ensure_ascii=False), str(config)):
            for secret in (trino_password, aws_secret):
                for form in spellings(secret):
                    assert form not in dump
    # The raw configs, should one ever be logged, are hidden by the masker.
    for secret, raw in ((trino_password, metadata), (aws_secret, dbt)):
        assert_hidden(json.dumps(raw), secret)
        assert_hidden(str(raw), secret)


def test_the_webhook_secret_is_hidden():
    from ol_platform.webhooks.config import webhook_config

    secret = new_secret()
    environ = {
        "MIT_LEARN_BASE_URL": "https://learn.example.edu",
        "MIT_LEARN_WEBHOOK_SECRET": secret,
    }
    webhook_config(None, environ)
    assert_hidden(f"secret={secret} env={json.dumps(environ)}", secret)


def test_export_api_tokens_are_hidden_in_their_headers():
    from ol_platform.exports.api import bearer_token

    secret = new_secret()
    token = bearer_token(
        conn(conn_type="http", host="https://studio.example.edu", password=secret), "Studio"
    )
    for scheme in ("Bearer", "JWT"):
        assert_hidden(f"Authorization: {scheme} {token}", secret)


def test_aws_keys_are_hidden():
    from ol_platform.ingest.connections import aws_key_pair

    secret = new_secret()
    aws_key_pair(conn(conn_type="aws", login="AKIAEXAMPLE", password=secret))
    assert_hidden(f"client_kwargs={ {'aws_secret_access_key': secret} }", secret)


def test_credentials_written_into_an_http_host_are_hidden_with_the_url():
    from ol_platform.ingest.connections import http_base_url

    secret = new_secret()
    host = f"https://feeds:{quote(secret, safe='')}@feeds.example.edu"
    url = http_base_url(conn(conn_type="http", host=host, port=None))
    assert_hidden(f"MITPE feed {url}/mitpe/api/courses: expected a JSON object", secret)


def test_iceberg_catalog_secrets_are_hidden_before_dbt_gets_them(monkeypatch):
    from ol_platform.lake.catalog import catalog_env

    password, credential, s3_key = new_secret(), new_secret(), new_secret()
    uri = f"postgresql+psycopg2://iceberg:{quote(password, safe='')}@db.example.edu/catalog"
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__TYPE", "sql")
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__URI", uri)
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__CREDENTIAL", f"client:{credential}")
    monkeypatch.setenv("PYICEBERG_CATALOG__OLP__S3__SECRET_ACCESS_KEY", s3_key)
    env = catalog_env()
    assert env["PYICEBERG_CATALOG__OLP__URI"] == uri  # the value dbt receives is untouched
    for secret in (password, credential, s3_key):
        assert_hidden(f"dbt env: {env}", secret, uri)
