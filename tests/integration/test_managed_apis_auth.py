"""openmetadata-managed-apis behind authentication, against a real ``airflow api-server``.

The managed APIs are a Flask blueprint that Airflow 3 mounts at ``/pluginsv2`` with no access
check of its own; ``ol_platform.airflow_plugins.managed_apis_auth`` puts Airflow's JWT in front
of it. One API server (simple auth manager with real users, not all-admins) serves the module.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from ol_platform.cli.embedded_airflow import EmbeddedAirflow
from ol_platform.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PLUGIN = "ol_platform.airflow_plugins.managed_apis_auth:ManagedApisAuthPlugin"
MANAGED = "/pluginsv2/api/v2/openmetadata"
PASSWORDS = {"admin": "admin-pass", "viewer": "viewer-pass"}


@dataclass
class ApiServerOnly(EmbeddedAirflow):
    """The embedded Airflow's environment, with users and passwords and only the API server."""

    overrides: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return super().env() | self.overrides

    def start(self) -> ApiServerOnly:
        self.migrate()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes["api-server"] = subprocess.Popen(
            self._airflow("api-server", "--port", str(self.port)),
            env=self.env(),
            stdout=(self.log_dir / "api-server.log").open("ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.processes["api-server"].poll() is not None:
                raise RuntimeError(f"api-server exited; see {self.log_dir}/api-server.log")
            try:
                if httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"api-server not up after 240 s; see {self.log_dir}/api-server.log")


def _our_entry_point_registered() -> bool:
    return any(e.value == PLUGIN for e in importlib.metadata.entry_points(group="airflow.plugins"))


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerOnly]:
    home = tmp_path_factory.mktemp("olp")
    settings = Settings(env="local", home=home)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps(PASSWORDS))
    server = ApiServerOnly(
        settings,
        overrides={
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,viewer:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),  # nothing to parse
        },
    )
    if not _our_entry_point_registered():
        # Until pyproject declares the entry point, load the plugin the other supported way.
        plugins = home / "airflow" / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        module, _, name = PLUGIN.partition(":")
        (plugins / "ol_platform_plugins.py").write_text(f"from {module} import {name}  # noqa\n")
    server.start()
    yield server
    server.stop()


def token(airflow: ApiServerOnly, user: str) -> str:
    answer = httpx.post(
        f"{airflow.url}/auth/token",
        json={"username": user, "password": PASSWORDS[user]},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"]


def get(airflow: ApiServerOnly, path: str, bearer: str | None = None, **kw) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return httpx.get(f"{airflow.url}{path}", headers=headers, timeout=60, **kw)


def test_managed_api_refuses_a_request_without_credentials(airflow):
    answer = get(airflow, f"{MANAGED}/health")
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "healthy" not in answer.text
    # Airflow's own API refuses likewise: the managed APIs now match it.
    assert get(airflow, "/api/v2/dags").status_code == 401


def test_managed_api_answers_with_an_airflow_api_token(airflow):
    answer = get(airflow, f"{MANAGED}/health", token(airflow, "admin"))
    assert answer.status_code == 200, answer.text
    # The managed APIs' own answer, so the route behind the guard is theirs.
    body = answer.json()
    assert body["status"] == "healthy"
    assert body["version"] == importlib.metadata.version("openmetadata-ingestion")


def test_a_session_cookie_is_accepted_like_a_bearer_token(airflow):
    answer = get(airflow, f"{MANAGED}/health", cookies={"_token": token(airflow, "admin")})
    assert answer.status_code == 200, answer.text


def test_a_forged_or_garbage_token_is_refused(airflow):
    import jwt

    real = jwt.decode(token(airflow, "admin"), options={"verify_signature": False})
    forged = jwt.encode(real, "not-the-api-secret-" * 4, algorithm="HS512")
    for bad in (forged, "garbage"):
        answer = get(airflow, f"{MANAGED}/health", bad)
        assert answer.status_code == 403, answer.text


def test_unauthenticated_deploy_changes_nothing(airflow):
    generated = airflow.settings.home / "airflow" / "dag_generated_configs"
    before = sorted(generated.glob("*")) if generated.exists() else []
    answer = httpx.post(
        f"{airflow.url}{MANAGED}/deploy",
        json={"name": "evil", "airflowConfig": {}, "sourceConfig": {}},
        timeout=60,
    )
    assert answer.status_code == 401, answer.text
    after = sorted(generated.glob("*")) if generated.exists() else []
    assert after == before


def test_a_viewer_may_read_but_not_trigger(airflow):
    viewer = token(airflow, "viewer")
    assert get(airflow, f"{MANAGED}/health", viewer).status_code == 200
    answer = httpx.post(
        f"{airflow.url}{MANAGED}/trigger",
        json={"dag_id": "transform"},
        headers={"Authorization": f"Bearer {viewer}"},
        timeout=60,
    )
    assert answer.status_code == 403, answer.text
    assert "may not PUT DAGs" in answer.json()["detail"]
