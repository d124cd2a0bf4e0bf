"""What each openmetadata-managed-apis route needs, and how a request's path is matched to one.

The map follows what a route *does*, not what its own (Airflow 2) decorator asked for:

- ``deploy`` writes a Python file into the DAG folder and ``delete`` removes one. Code in the
  DAG folder runs in the DAG processor with the installation's database and secrets, so both
  need the right to change the installation's configuration (``configuration`` PUT), on top of
  creating/changing or deleting DAGs. ``run_automation`` runs an arbitrary OpenMetadata
  workflow (connection tests against any host, with credentials from the body) inside the API
  server: same level. With Airflow's simple auth manager that is the ``OP`` and ``ADMIN``
  roles (``ADMIN`` only adds teams, so no permission tells them apart); with the FAB auth
  manager it is a role holding ``can_edit`` on ``Configurations``, which no default role has
  until it is granted (FAB's ``Admin`` then receives it at the next permission sync).
- ``trigger`` starts a DAG run, ``enable``/``disable`` pause a DAG, ``kill`` marks its running
  runs and task instances failed: the permissions Airflow's own API asks for the same effects.
- ``status`` and ``last_dag_logs`` read runs and task logs; ``health-auth`` and ``csrf-token``
  only read: DAG read.
- ``ip`` tells the server's public address (found by calling out to an IP echo service): a fact
  about the installation, so configuration read.
- ``health`` only needs a valid token: Airflow's own ``/api/v2/monitor/health`` stays open for
  probes, and this one names the Airflow and openmetadata-ingestion versions, which is worth
  hiding from anyone without an account. OpenMetadata's client always sends its token.

Anything else under the Flask plugin mount (a route a later version adds, the FAB view
``/restapiview/``, static files) matches no entry and is refused.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

# Where the API server mounts Flask plugin blueprints (airflow.api_fastapi.core_api.app).
FLASK_PLUGINS_MOUNT = "/pluginsv2"
MANAGED_APIS = "/api/v2/openmetadata"

Kind = Literal["authenticated", "dag", "configuration"]
Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Need:
    """One permission the auth manager must grant (``authenticated``: a valid token is enough)."""

    kind: Kind
    method: Method = "GET"
    entity: str | None = None  # a DagAccessEntity name, for ``dag``

    def __str__(self) -> str:
        if self.kind == "authenticated":
            return "authentication"
        what = f"DAG {self.entity.lower().replace('_', ' ')}s" if self.entity else "DAGs"
        return f"{self.method} {what if self.kind == 'dag' else 'configuration'}"


AUTHENTICATED = (Need("authenticated"),)
DAG_READ = (Need("dag", "GET"),)
INSTALLS_CODE = Need("configuration", "PUT")

ROUTES: dict[tuple[str, str], tuple[Need, ...]] = {
    ("GET", "/health"): AUTHENTICATED,
    ("GET", "/health-auth"): DAG_READ,
    ("GET", "/csrf-token"): DAG_READ,
    ("GET", "/status"): (Need("dag", "GET", "RUN"),),
    ("GET", "/last_dag_logs"): (Need("dag", "GET", "TASK_LOGS"),),
    ("GET", "/ip"): (Need("configuration", "GET"),),
    ("POST", "/trigger"): (Need("dag", "POST", "RUN"),),
    ("POST", "/enable"): (Need("dag", "PUT"),),
    ("POST", "/disable"): (Need("dag", "PUT"),),
    ("POST", "/kill"): (Need("dag", "PUT", "RUN"), Need("dag", "PUT", "TASK_INSTANCE")),
    ("POST", "/deploy"): (INSTALLS_CODE, Need("dag", "POST"), Need("dag", "PUT")),
    ("DELETE", "/delete"): (INSTALLS_CODE, Need("dag", "DELETE")),
    ("POST", "/run_automation"): (INSTALLS_CODE, Need("dag", "POST", "RUN")),
}


def route_path(scope: dict) -> str:
    """The path the router matches: ``root_path`` removed only at a path-segment boundary,
    as Starlette's own routing does (a root path ``/p`` is not a prefix of ``/pluginsv2``)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "").rstrip("/")
    if root and (path == root or path.startswith(f"{root}/")):
        return path[len(root) :] or "/"
    return path


def canonical(path: str) -> str:
    """``path`` decoded until stable, ``//``, ``.`` and ``..`` resolved, no trailing slash,
    lower case: every spelling of one route gives one string."""
    for _ in range(5):  # %252F -> %2F -> /
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    # normpath keeps a leading "//" (POSIX allows it), hence the strip.
    path = posixpath.normpath("/" + path.replace("\\", "/")).strip("/")
    return f"/{path.lower()}"


def _under(path: str, mount: str) -> bool:
    return path == mount or path.startswith(f"{mount}/")


def guarded(scope: dict, mount: str = FLASK_PLUGINS_MOUNT) -> bool:
    """Whether a request reaches the Flask plugin mount, however its path is spelled. Both
    the router's view and the canonical one count, so no spelling slips past."""
    path = route_path(scope)
    return _under(path, mount) or _under(canonical(path), mount.lower())


def needs(method: str, scope: dict, mount: str = FLASK_PLUGINS_MOUNT) -> tuple[Need, ...] | None:
    """The permissions a request needs, or None when it matches no managed-API route."""
    path = canonical(route_path(scope))
    prefix = f"{mount}{MANAGED_APIS}".lower()
    if not path.startswith(f"{prefix}/"):
        return None
    method = "GET" if method == "HEAD" else method  # Flask answers HEAD with the GET view
    return ROUTES.get((method, path[len(prefix) :]))
