"""Reach an Airflow 3 REST API as an operator: which Airflow, and with which credentials.

Without ``--url`` the target is the local Airflow that ``olp demo --keep-running`` (or any
embedded Airflow) is running: it leaves its address in ``$OLP_HOME/airflow/api-server.url``.
Credentials, first found wins: ``--token`` / ``OLP_AIRFLOW_TOKEN`` (a bearer token), then
``--username``/``--password`` / ``OLP_AIRFLOW_USERNAME``/``OLP_AIRFLOW_PASSWORD`` exchanged at
``POST /auth/token``, then, for the local Airflow only, the simple auth manager's generated
passwords file. The local Airflow lets every local user in as admin, so it may need none.

The token and the password never reach the terminal: :func:`mask` scrubs them from every
message this module or the CLI prints.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ol_platform.cli.airflow_api import AirflowAPI
from ol_platform.settings import Settings

TOKEN_ENV = "OLP_AIRFLOW_TOKEN"
URL_ENV = "OLP_AIRFLOW_URL"
USERNAME_ENV = "OLP_AIRFLOW_USERNAME"
PASSWORD_ENV = "OLP_AIRFLOW_PASSWORD"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"

_SECRETS: set[str] = set()


def mask(text: str) -> str:
    """``text`` with every credential this process has seen replaced by ``***``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _secret(value: str | None) -> str | None:
    if value:
        _SECRETS.add(value)
    return value


class AirflowAccessError(RuntimeError):
    """Airflow cannot be reached or refused us; the message says what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(mask(message))
        self.status = status


@dataclass
class AuthedAirflowAPI(AirflowAPI):
    """The platform's REST client with a bearer token; errors become readable, masked."""

    token: str | None = field(default=None, repr=False)
    retry_delay: float = 0.5

    def _client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(
            base_url=f"{self.base_url}/api/v2", timeout=self.timeout, headers=headers
        )

    def call(
        self, method: str, path: str, json: dict | None = None, attempts: int = 3, **params
    ) -> dict:
        """One API call (5xx retried), as JSON; any refusal raises :class:`AirflowAccessError`."""
        try:
            return self.request(method, path, attempts=attempts, json=json, params=params).json()
        except httpx.HTTPStatusError as exc:
            raise AirflowAccessError(
                describe_refusal(method, path, exc.response), exc.response.status_code
            ) from None
        except httpx.HTTPError as exc:
            raise AirflowAccessError(
                f"{method} {self.base_url}/api/v2{path}: {type(exc).__name__}: {exc}; is "
                "Airflow running there?"
            ) from None


def describe_refusal(method: str, path: str, response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    if isinstance(detail, list):  # FastAPI validation errors
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    hint = {
        401: " (not authenticated: pass --token, set OLP_AIRFLOW_TOKEN, or --username/--password)",
        403: " (the token is invalid or expired, or its user may not do this: get a new one)",
    }.get(response.status_code, "")
    return f"{method} /api/v2{path}: HTTP {response.status_code}: {str(detail)[:500]}{hint}"


def exchange_password(url: str, username: str, password: str, timeout: float = 30) -> str:
    """A bearer token for a user of the simple auth manager (or any manager serving it)."""
    _secret(password)
    try:
        answer = httpx.post(
            f"{url}/auth/token", json={"username": username, "password": password}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        raise AirflowAccessError(f"POST {url}/auth/token: {type(exc).__name__}: {exc}") from None
    if answer.status_code not in (200, 201):
        raise AirflowAccessError(
            f"POST {url}/auth/token as '{username}': HTTP {answer.status_code}: "
            f"{answer.text[:300]}; check the username and password"
        )
    return _secret(answer.json()["access_token"]) or ""


def local_url(settings: Settings) -> str:
    path = settings.home / "airflow" / "api-server.url"
    if not path.exists():
        raise AirflowAccessError(
            f"no local Airflow is running ({path} is absent): start one with "
            "`make demo-keep` (or `olp demo --keep-running`), or pass --url for a deployed Airflow"
        )
    return path.read_text().strip()


def local_password(settings: Settings) -> tuple[str, str] | None:
    """The first user of the local simple auth manager's generated passwords file, if any."""
    home = Path(os.environ.get("AIRFLOW_HOME") or settings.home / "airflow")
    for path in (settings.home / "airflow" / PASSWORDS_FILE, home / PASSWORDS_FILE):
        if path.exists():
            users = json.loads(path.read_text())
            if users:
                user = "admin" if "admin" in users else sorted(users)[0]
                return user, users[user]
    return None


def connect(
    settings: Settings,
    *,
    url: str | None = None,
    token: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> AuthedAirflowAPI:
    token = _secret(token or os.environ.get(TOKEN_ENV))
    username = username or os.environ.get(USERNAME_ENV)
    password = _secret(password or os.environ.get(PASSWORD_ENV))
    url = url or os.environ.get(URL_ENV)
    local = not url
    url = (url or local_url(settings)).rstrip("/")
    if not token and username and password:
        token = exchange_password(url, username, password)
    elif not token and (username or password):
        raise AirflowAccessError("--username and --password go together (or set both env vars)")
    elif not token and local and (found := local_password(settings)):
        token = exchange_password(url, *found)
    return AuthedAirflowAPI(url, token=token)
