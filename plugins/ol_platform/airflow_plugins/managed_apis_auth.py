"""Authentication in front of Airflow 2-style Flask plugins, openmetadata-managed-apis first.

openmetadata-managed-apis 2.0.7.0 registers a Flask blueprint (``flask_blueprints``). Airflow 3
has no Flask web server: the API server wraps every plugin blueprint in the FAB provider's Flask
app and mounts it with ``WSGIMiddleware`` at ``/pluginsv2``, so the managed APIs answer at
``/pluginsv2/api/v2/openmetadata/{health,deploy,trigger,status,...}``. Their own access check
(``utils/security_compat.requires_access_decorator``) is a no-op on Airflow 3, and nothing in
front of the mount authenticates: anyone who reaches the API server could deploy and trigger
DAGs.

This plugin adds a root ASGI middleware (``fastapi_root_middlewares``) that, for every request
under ``/pluginsv2``, requires an Airflow API JWT (``Authorization: Bearer <token>`` as issued
by ``POST /auth/token``, or the UI's ``_token`` cookie), validated by the configured auth
manager exactly as ``/api/v2`` does (signature, expiry, audience, revocation), and the caller's
permission on DAGs: reads need ``GET``, writes ``PUT``, deletes ``DELETE``. No token: 401;
an invalid token or a missing permission: 403. It fails closed: an error while checking is a
500, never a pass.

With ``[core] simple_auth_manager_all_admins`` (the local demo only) the auth manager itself
injects an admin token into every request, as it does for ``/api/v2``.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)

# Where the API server mounts Flask plugin blueprints (airflow.api_fastapi.core_api.app).
FLASK_PLUGINS_MOUNT = "/pluginsv2"
MANAGED_APIS_PREFIX = f"{FLASK_PLUGINS_MOUNT}/api/v2/openmetadata"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _protected(path: str, mount: str = FLASK_PLUGINS_MOUNT) -> bool:
    return path == mount or path.startswith(f"{mount}/")


def _dag_method(http_method: str) -> str:
    """The auth manager's DAG permission a request needs."""
    if http_method in READ_METHODS:
        return "GET"
    return "DELETE" if http_method == "DELETE" else "PUT"


class FlaskPluginAuthMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): the WSGI app behind it streams its own responses."""

    def __init__(self, app: Any, mount: str = FLASK_PLUGINS_MOUNT) -> None:
        self.app = app
        self.mount = mount

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _protected(self._path(scope), self.mount):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        from starlette.responses import JSONResponse

        status, detail = refusal
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        log.warning("refused %s %s: %s %s", scope["method"], scope["path"], status, detail)
        await JSONResponse({"detail": detail}, status_code=status, headers=headers)(
            scope, receive, send
        )

    @staticmethod
    def _path(scope: dict) -> str:
        # Starlette keeps root_path in path; routing (and so the mount) matches without it.
        path, root = scope.get("path", ""), scope.get("root_path", "")
        return path[len(root) :] if root and path.startswith(root) else path

    async def _refusal(self, scope: dict) -> tuple[int, str] | None:
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
        from airflow.api_fastapi.core_api.security import resolve_user_from_token
        from fastapi import HTTPException
        from starlette.requests import Request

        request = Request(scope)
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        token = credentials.strip() if scheme.lower() == "bearer" else None
        token = token or request.cookies.get(COOKIE_NAME_JWT_TOKEN)
        try:
            user = await resolve_user_from_token(token)
        except HTTPException as exc:
            return exc.status_code, str(exc.detail)
        method = _dag_method(scope["method"])
        if not get_auth_manager().is_authorized_dag(method=method, user=user):  # type: ignore[arg-type]
            return 403, f"user '{user.get_name()}' may not {method} DAGs"
        return None


class ManagedApisAuthPlugin(AirflowPlugin):
    name = "ol_platform_managed_apis_auth"
    fastapi_root_middlewares = [
        {
            "name": "Authentication for Flask plugins (openmetadata-managed-apis)",
            "middleware": FlaskPluginAuthMiddleware,
            "args": [],
            "kwargs": {},
        }
    ]
