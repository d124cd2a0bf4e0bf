"""Authentication and authorization in front of Airflow 2-style Flask plugins,
openmetadata-managed-apis first.

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
manager exactly as ``/api/v2`` does (signature, expiry, audience, revocation), and then the
permissions the route's effect needs (``managed_apis_routes``: deploying or deleting DAG files
needs configuration write, triggering needs DAG runs, reads need DAG read). No token: 401; an
invalid token, a missing permission or a route the map does not know: 403. It fails closed: a
path is matched in every spelling (segment-boundary root path, ``//``, ``..``, ``%2F``, case),
a WebSocket to the mount is closed, and an error while checking is a 500, never a pass.

With ``[core] simple_auth_manager_all_admins`` (the local demo only) the auth manager itself
injects an admin token into every request, as it does for ``/api/v2``.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.plugins_manager import AirflowPlugin

from ol_platform.airflow_plugins.managed_apis_routes import (
    FLASK_PLUGINS_MOUNT,
    Need,
    guarded,
    needs,
)

log = logging.getLogger(__name__)

# RFC 6455 1008: policy violation. Closing before accept makes the server answer 403.
WEBSOCKET_POLICY_VIOLATION = 1008


def _granted(auth_manager: Any, user: Any, need: Need) -> bool:
    if need.kind == "authenticated":
        return True
    if need.kind == "configuration":
        return auth_manager.is_authorized_configuration(method=need.method, user=user)
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity

    entity = DagAccessEntity[need.entity] if need.entity else None
    return auth_manager.is_authorized_dag(method=need.method, access_entity=entity, user=user)


class FlaskPluginAuthMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): the WSGI app behind it streams its own responses."""

    def __init__(self, app: Any, mount: str = FLASK_PLUGINS_MOUNT) -> None:
        self.app = app
        self.mount = mount

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan" or not guarded(scope, self.mount):
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            log.warning("refused a %s connection to %s", scope["type"], scope.get("path"))
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": WEBSOCKET_POLICY_VIOLATION})
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
        required = needs(scope["method"], scope, self.mount)
        if required is None:
            return 403, f"{scope['method']} {scope['path']} is not a managed-API route"
        auth_manager = get_auth_manager()
        missing = [str(need) for need in required if not _granted(auth_manager, user, need)]
        if missing:
            return 403, f"user '{user.get_name()}' lacks permission: {', '.join(missing)}"
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
