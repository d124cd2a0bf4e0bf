"""openmetadata-managed-apis behind our guard, against a real ``airflow api-server``.

The managed APIs are a Flask blueprint that Airflow 3 mounts at ``/pluginsv2`` with no access
check of its own; ``ol_platform.airflow_plugins.managed_apis_auth`` puts Airflow's JWT and the
permission each route's effect needs in front of it. One API server serves the module: the
simple auth manager with one user per role, and a ``base_url`` with the path ``/p/`` (a prefix
of ``/pluginsv2`` that once let requests skip the guard).

The expected table is written out here, not derived from the guard's map, so a change to the
map that opens a route fails a test.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ol_platform.cli.embedded_airflow import EmbeddedAirflow, free_port
from ol_platform.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PLUGIN = "ol_platform.airflow_plugins.managed_apis_auth:ManagedApisAuthPlugin"
ROOT = "/p"  # the base_url's path
MANAGED = f"{ROOT}/pluginsv2/api/v2/openmetadata"
ROLES = ("viewer", "user", "op", "admin")
PASSWORDS = {role: f"{role}-pass" for role in ROLES}
PROBE_DAG = "olp_probe"

EVERYONE = frozenset(ROLES)
DAG_EDITORS = frozenset({"user", "op", "admin"})
INSTALLERS = frozenset({"op", "admin"})  # configuration write: OP and ADMIN in the simple AM

# route -> (HTTP method, query, JSON body, roles allowed)
ROUTES: dict[str, tuple[str, dict | None, dict | None, frozenset[str]]] = {
    "health": ("GET", None, None, EVERYONE),
    "health-auth": ("GET", None, None, EVERYONE),
    "csrf-token": ("GET", None, None, EVERYONE),
    "status": ("GET", {"dag_id": PROBE_DAG}, None, EVERYONE),
    "last_dag_logs": ("GET", {"dag_id": PROBE_DAG, "task_id": "t"}, None, EVERYONE),
    "ip": ("GET", None, None, EVERYONE),
    "trigger": ("POST", None, {"dag_id": PROBE_DAG}, DAG_EDITORS),
    "enable": ("POST", None, {"dag_id": PROBE_DAG}, DAG_EDITORS),
    "disable": ("POST", None, {"dag_id": PROBE_DAG}, DAG_EDITORS),
    "kill": ("POST", None, {"dag_id": PROBE_DAG}, DAG_EDITORS),
    # an incomplete pipeline: the route answers 400 and writes nothing when it is reached
    "deploy": ("POST", None, {"name": PROBE_DAG}, INSTALLERS),
    "delete": ("DELETE", {"dag_id": PROBE_DAG}, None, INSTALLERS),
    "run_automation": ("POST", None, {"name": PROBE_DAG}, INSTALLERS),
}
IDENTITIES = (None, "invalid", *ROLES)


@dataclass
class ApiServerOnly(EmbeddedAirflow):
    """The embedded Airflow's environment, with users and passwords and only the API server."""

    overrides: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return super().env() | self.overrides

    @property
    def dags(self) -> Path:
        return Path(self.overrides["AIRFLOW__CORE__DAGS_FOLDER"])

    @property
    def generated_configs(self) -> Path:
        return self.settings.home / "airflow" / "dag_generated_configs"

    def start(self) -> ApiServerOnly:
        self.migrate()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.spawn("api-server", self.env())
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
    (home / "dags").mkdir()
    port = free_port()
    server = ApiServerOnly(
        settings,
        port=port,
        overrides={
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{r}:{r}" for r in ROLES),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),  # only what the tests put there
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}{ROOT}/",
            # /ip calls out to public IP echo services: make that fail at once, offline.
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
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


@pytest.fixture(scope="module")
def tokens(airflow: ApiServerOnly) -> dict[str | None, str | None]:
    issued: dict[str | None, str | None] = {None: None, "invalid": "garbage"}
    for role in ROLES:
        answer = httpx.post(
            f"{airflow.url}{ROOT}/auth/token",
            json={"username": role, "password": PASSWORDS[role]},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        issued[role] = answer.json()["access_token"]
    return issued


def call(
    airflow: ApiServerOnly,
    method: str,
    path: str,
    bearer: str | None = None,
    *,
    params: dict | None = None,
    body: dict | None = None,
    **kw,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return httpx.request(
        method,
        f"{airflow.url}{path}",
        params=params,
        json=body,
        headers=headers,
        timeout=120,
        **kw,
    )


def _probe_dag_file(airflow: ApiServerOnly) -> Path:
    probe = airflow.dags / f"{PROBE_DAG}.py"
    probe.write_text("# a DAG file the delete route would remove\n")
    return probe


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i or "no-token")
@pytest.mark.parametrize("route", ROUTES)
def test_each_route_answers_each_role_as_its_effect_requires(airflow, tokens, route, identity):
    method, params, body, allowed = ROUTES[route]
    probe = _probe_dag_file(airflow) if route == "delete" else None
    configs_before = sorted(airflow.generated_configs.glob("*"))
    answer = call(airflow, method, f"{MANAGED}/{route}", tokens[identity], params=params, body=body)

    if identity is None:
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
    elif identity == "invalid":
        assert answer.status_code == 403, answer.text
    elif identity in allowed:
        assert answer.status_code not in (401, 403), answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert f"user '{identity}' lacks permission" in answer.json()["detail"]

    if probe is not None:  # a refused delete leaves the DAG file; an allowed one removes it
        assert probe.exists() == (identity not in allowed)
    assert sorted(airflow.generated_configs.glob("*")) == configs_before


def test_a_refused_deploy_writes_nothing_that_an_allowed_one_writes(airflow, tokens):
    name = f"olp_deploy_{uuid.uuid4().hex[:8]}"
    pipeline = {
        "id": str(uuid.uuid4()),
        "name": name,
        "fullyQualifiedName": f"svc.{name}",
        "pipelineType": "metadata",
        "sourceConfig": {"config": {"type": "DatabaseMetadata"}},
        "airflowConfig": {},
        "openMetadataServerConnection": {
            "hostPort": "http://127.0.0.1:9/api",
            "authProvider": "openmetadata",
            "securityConfig": {"jwtToken": "a.b.c"},
        },
        "service": {"id": str(uuid.uuid4()), "type": "databaseService", "name": "svc"},
    }
    dag_file = airflow.dags / f"{name}.py"
    delete = f"{MANAGED}/delete"
    for identity in (None, "invalid", "viewer", "user"):
        answer = call(airflow, "POST", f"{MANAGED}/deploy", tokens[identity], body=pipeline)
        assert answer.status_code in (401, 403), answer.text
        assert not dag_file.exists()
        assert not (airflow.generated_configs / f"{name}.json").exists()

    # The same request from an admin does write the DAG file: the refusals above mattered.
    answer = call(airflow, "POST", f"{MANAGED}/deploy", tokens["admin"], body=pipeline)
    assert answer.status_code not in (401, 403), answer.text
    assert dag_file.exists()

    for identity in (None, "invalid", "viewer", "user"):
        answer = call(airflow, "DELETE", delete, tokens[identity], params={"dag_id": name})
        assert answer.status_code in (401, 403), answer.text
        assert dag_file.exists()
    call(airflow, "DELETE", delete, tokens["admin"], params={"dag_id": name})
    assert not dag_file.exists()


@pytest.mark.parametrize(
    "path",
    [
        # the root path /p must not be stripped from /pluginsv2 (it once left "luginsv2")
        "/pluginsv2/api/v2/openmetadata/delete",
        "/p//pluginsv2//api/v2/openmetadata//delete",
        f"{MANAGED}/./delete",
        f"{MANAGED}/health/../delete",
        f"{MANAGED}/DELETE/",
        "/p/pluginsv2/api/v2/openmetadata%2Fdelete",
    ],
)
def test_no_spelling_of_a_path_skips_the_guard(airflow, tokens, path):
    probe = _probe_dag_file(airflow)
    for identity in (None, "user"):
        answer = call(airflow, "DELETE", path, tokens[identity], params={"dag_id": PROBE_DAG})
        assert answer.status_code in (401, 403), (path, identity, answer.text)
        assert probe.exists()


def test_a_route_the_guard_does_not_know_is_refused_even_to_an_admin(airflow, tokens):
    for path in (f"{MANAGED}/not-yet-a-route", f"{ROOT}/pluginsv2/restapiview/", "/pluginsv2/"):
        assert call(airflow, "GET", path).status_code == 401
        answer = call(airflow, "GET", path, tokens["admin"])
        assert answer.status_code == 403, answer.text
        assert "not a managed-API route" in answer.json()["detail"]


def test_managed_health_is_the_managed_apis_own_answer(airflow, tokens):
    answer = call(airflow, "GET", f"{MANAGED}/health", tokens["viewer"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "healthy"
    assert body["version"] == importlib.metadata.version("openmetadata-ingestion")
    # Airflow's own API refuses unauthenticated calls likewise: the managed APIs now match it.
    assert call(airflow, "GET", f"{ROOT}/api/v2/dags").status_code == 401


def test_a_session_cookie_is_accepted_like_a_bearer_token(airflow, tokens):
    answer = call(airflow, "GET", f"{MANAGED}/health", cookies={"_token": tokens["viewer"]})
    assert answer.status_code == 200, answer.text


def test_a_forged_token_is_refused(airflow, tokens):
    import jwt

    real = jwt.decode(tokens["admin"], options={"verify_signature": False})
    forged = jwt.encode(real, "not-the-api-secret-" * 4, algorithm="HS512")
    answer = call(airflow, "GET", f"{MANAGED}/health", forged)
    assert answer.status_code == 403, answer.text


def test_a_websocket_to_the_mount_is_refused(airflow, tokens):
    """A WebSocket handshake must not reach the Flask app unchecked: refused at the upgrade."""
    import base64
    import os

    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Authorization": f"Bearer {tokens['admin']}",
    }
    answer = httpx.get(f"{airflow.url}{MANAGED}/health", headers=headers, timeout=60)
    # Without the guard the handshake reaches WSGIMiddleware, which fails it with a 500.
    assert answer.status_code == 403, answer.text
