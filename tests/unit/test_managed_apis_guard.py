"""The managed-API guard's path matching and scope handling, with the ASGI middleware itself.

What a real API server answers per route and role is in
tests/integration/test_managed_apis_auth.py; here the spellings of a path and the non-HTTP
scopes, which need no token to be decided.
"""

from __future__ import annotations

import asyncio

import pytest

from ol_platform.airflow_plugins.managed_apis_auth import FlaskPluginAuthMiddleware
from ol_platform.airflow_plugins.managed_apis_routes import (
    ROUTES,
    Need,
    canonical,
    guarded,
    needs,
    route_path,
)

DEPLOY_SPELLINGS = [
    ("", "/pluginsv2/api/v2/openmetadata/deploy"),
    ("/p", "/pluginsv2/api/v2/openmetadata/deploy"),  # "/p" is a prefix of "/pluginsv2"
    ("/p", "/p/pluginsv2/api/v2/openmetadata/deploy"),
    ("/p/", "/p/pluginsv2/api/v2/openmetadata/deploy"),
    ("/plugins", "/pluginsv2/api/v2/openmetadata/deploy"),
    ("", "//pluginsv2//api/v2/openmetadata///deploy"),
    ("", "/pluginsv2/./api/v2/openmetadata/./deploy"),
    ("", "/pluginsv2/api/v2/openmetadata/health/../deploy"),
    ("", "/pluginsv2/api/v2/openmetadata/deploy/"),
    ("", "/PluginsV2/API/v2/OpenMetadata/DEPLOY"),
    ("", "/pluginsv2/api/v2/openmetadata%2Fdeploy"),
    ("", "/pluginsv2%2Fapi%2Fv2%2Fopenmetadata%2Fdeploy"),
    ("", "/pluginsv2/api/v2/openmetadata%252Fdeploy"),
    ("", "/pluginsv2\\api\\v2\\openmetadata\\deploy"),
]


def scope(path: str, root_path: str = "", kind: str = "http", method: str = "POST") -> dict:
    return {
        "type": kind,
        "path": path,
        "root_path": root_path,
        "method": method,
        "headers": [],
        "query_string": b"",
    }


@pytest.mark.parametrize(("root", "path"), DEPLOY_SPELLINGS)
def test_every_spelling_of_deploy_needs_configuration_write(root, path):
    request = scope(path, root)
    assert guarded(request)
    assert Need("configuration", "PUT") in needs("POST", request)


def test_root_path_is_stripped_only_at_a_segment_boundary():
    assert route_path(scope("/pluginsv2/x", "/p")) == "/pluginsv2/x"
    assert route_path(scope("/p/pluginsv2/x", "/p")) == "/pluginsv2/x"
    assert route_path(scope("/p", "/p")) == "/"


@pytest.mark.parametrize("path", ["/api/v2/dags", "/pluginsv2x/deploy", "/ui/dags", "/"])
def test_paths_outside_the_mount_are_not_the_guards(path):
    assert not guarded(scope(path))


def test_a_dot_dot_out_of_the_mount_is_still_guarded():
    # Starlette routes it into the mount; the canonical form alone would say /api/v2/dags.
    request = scope("/pluginsv2/../api/v2/dags", method="GET")
    assert guarded(request)
    assert needs("GET", request) is None


@pytest.mark.parametrize(
    "path",
    [
        "/pluginsv2/api/v2/openmetadata/a_route_of_a_later_version",
        "/pluginsv2/restapiview/",
        "/pluginsv2/static/pin_32.png",
        "/pluginsv2/",
        "/pluginsv2/api/v2/openmetadata",
    ],
)
def test_routes_not_in_the_map_need_what_nobody_has(path):
    assert needs("GET", scope(path, method="GET")) is None


def test_a_method_the_route_does_not_take_is_not_mapped():
    assert needs("GET", scope("/pluginsv2/api/v2/openmetadata/deploy")) is None
    assert needs("PUT", scope("/pluginsv2/api/v2/openmetadata/trigger")) is None
    assert (
        needs("HEAD", scope("/pluginsv2/api/v2/openmetadata/status")) == ROUTES[("GET", "/status")]
    )


def test_code_changing_routes_need_configuration_write_and_nothing_else_does():
    write = Need("configuration", "PUT")
    installs = {route for (_, route), need in ROUTES.items() if write in need}
    assert installs == {"/deploy", "/delete", "/run_automation"}


def test_canonical_resolves_to_one_string():
    assert canonical("//a/./b/../C//") == "/a/c"
    assert canonical("/a%252Fb") == "/a/b"
    assert canonical("") == "/"


class Recorder:
    """The app behind the middleware: records whether a request got through."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    async def __call__(self, scope, receive, send) -> None:
        self.calls.append(scope)


def run(middleware: FlaskPluginAuthMiddleware, request: dict) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(middleware(request, receive, send))
    return sent


@pytest.mark.parametrize(("root", "path"), DEPLOY_SPELLINGS)
def test_an_unauthenticated_request_in_any_spelling_stops_at_the_guard(root, path):
    app = Recorder()
    sent = run(FlaskPluginAuthMiddleware(app), scope(path, root))
    assert app.calls == []
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 401


def test_a_websocket_to_the_mount_is_closed_unchecked_never():
    app = Recorder()
    sent = run(
        FlaskPluginAuthMiddleware(app),
        scope("/pluginsv2/api/v2/openmetadata/health", kind="websocket", method="GET"),
    )
    assert app.calls == []
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_an_unknown_scope_type_to_the_mount_goes_nowhere():
    app = Recorder()
    assert run(FlaskPluginAuthMiddleware(app), scope("/pluginsv2/x", kind="webtransport")) == []
    assert app.calls == []


@pytest.mark.parametrize(
    "request_scope",
    [
        {"type": "lifespan"},
        scope("/api/v2/dags", method="GET"),
        scope("/ws/elsewhere", kind="websocket", method="GET"),
    ],
)
def test_what_is_not_the_guards_passes_through(request_scope):
    app = Recorder()
    run(FlaskPluginAuthMiddleware(app), request_scope)
    assert app.calls == [request_scope]
