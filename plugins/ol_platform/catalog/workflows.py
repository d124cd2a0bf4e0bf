"""OpenMetadata's ingestion workflows for the warehouse: the Trino catalog harvest, dbt, and PII.

- **metadata**: a ``trino`` source (``trino_default``: host, port, login, password; extra
  ``catalog``, default ``ol_data_lake_<env>``) whose ``DatabaseMetadata`` config keeps the
  warehouse layer schemas ``ol_warehouse_<env>_(staging|intermediate|dimensional|mart|reporting)``
  and the raw lake ``ol_warehouse_<env>_raw``; sink ``metadata-rest``.
- **dbt**: a ``dbt`` source reading the artifacts ``artifacts_upload`` put in S3, attached to
  the same database service, so models, descriptions, tests and lineage land on those tables.
- **pii**: OpenMetadata's auto-classification over the same Trino schemas: it samples columns
  and tags those that look personal ``PII.Sensitive``/``PII.NonSensitive``, on top of the tags
  the dbt models declare (``ol_platform.catalog.pii``). Sample rows are not stored in
  OpenMetadata: they are personal data.

The OpenMetadata server is the Airflow connection ``openmetadata`` (http: host = base URL,
e.g. ``https://openmetadata.example.edu``, ``/api`` appended when missing; password = the
ingestion bot's JWT; optional extra ``trino_service_name``). Every config is always built and
validated with openmetadata-ingestion's own pydantic models; they run only when that
connection exists. Without it (locally, CI) the outcome says so and carries the validated
configs. Secrets are registered with Airflow's masker and replaced by ``***`` in every config
that is logged or returned.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from ol_platform.catalog.artifacts_upload import ArtifactsTarget
from ol_platform.ingest.connections import ConnectionLike, connection_extra, mask_secret
from ol_platform.lake.naming import namespace, warehouse_schema

log = logging.getLogger(__name__)

OPENMETADATA_CONN_ID = "openmetadata"
TRINO_CONN_ID = "trino_default"
WAREHOUSE_LAYERS = ("staging", "intermediate", "dimensional", "mart", "reporting")
SKIPPED = "skipped: no OpenMetadata connection"
WORKFLOWS = ("metadata", "dbt", "pii")
# Auto-classification tags a column when its recognisers are at least this sure (0-100).
PII_CONFIDENCE = 80
# Stand-ins so the configs validate where the real endpoints do not exist (local, CI).
PLACEHOLDER_OM = "http://openmetadata.invalid:8585/api"
PLACEHOLDER_TRINO = "trino.invalid:443"
PLACEHOLDER_BUCKET = "dbt-artifacts.invalid"
SECRET_KEYS = frozenset(
    {"password", "jwtToken", "awsSecretAccessKey", "awsSessionToken", "awsAccessKeyId"}
)
MASK = "***"

Resolve = Callable[[str], ConnectionLike | None]


class WorkflowConfigError(ValueError):
    """A workflow config that openmetadata-ingestion's models reject."""


def schema_patterns(env: str) -> list[str]:
    return [
        f"^{warehouse_schema(env)}_({'|'.join(WAREHOUSE_LAYERS)})$",
        f"^{namespace(env, 'raw')}$",
    ]


def trino_service_name(env: str, om_conn: ConnectionLike | None = None) -> str:
    extra = connection_extra(om_conn) if om_conn else {}
    return extra.get("trino_service_name") or f"ol_trino_{env}"


def server_config(conn: ConnectionLike | None) -> dict[str, Any]:
    """``workflowConfig.openMetadataServerConfig``; a placeholder without a connection."""
    if conn is None:
        host_port, jwt = PLACEHOLDER_OM, "not-configured"
    else:
        if not conn.host or not conn.password:
            raise ValueError(
                f"connection '{conn.conn_id}': host (the OpenMetadata URL) and password (the "
                "ingestion bot's JWT) are both required"
            )
        host_port, jwt = _om_url(conn), conn.password
    return {
        "hostPort": host_port,
        "authProvider": "openmetadata",
        "securityConfig": {"jwtToken": jwt},
    }


def _om_url(conn: ConnectionLike) -> str:
    host = conn.host or ""
    if "://" not in host:
        scheme = conn.schema or "http"
        host = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    elif conn.port and not urlparse(host).port:
        host = f"{host.rstrip('/')}:{conn.port}"
    host = host.rstrip("/")
    return host if host.endswith("/api") else f"{host}/api"


def trino_connection(conn: ConnectionLike | None, env: str) -> dict[str, Any]:
    """``serviceConnection.config`` of the Trino source; a placeholder without a connection."""
    extra = connection_extra(conn) if conn else {}
    config: dict[str, Any] = {
        "type": "Trino",
        "hostPort": PLACEHOLDER_TRINO,
        "username": "openmetadata",
        "catalog": extra.get("catalog") or f"ol_data_lake_{env}",
    }
    if conn is not None:
        if not conn.host:
            raise ValueError(f"connection '{conn.conn_id}': the Trino host is empty")
        port = conn.port or 443
        config["hostPort"] = f"{conn.host}:{port}"
        config["username"] = conn.login or config["username"]
        if conn.password:
            config["authType"] = {"password": conn.password}
        if (extra.get("protocol") or ("https" if port == 443 else "http")) == "https":
            config["connectionArguments"] = {"http_scheme": "https"}
    return config


def _trino_workflow(
    trino: dict[str, Any], server: dict[str, Any], env: str, service_name: str, pipeline: dict
) -> dict[str, Any]:
    """A workflow over the Trino service's warehouse and raw-lake schemas: ``pipeline`` is its
    ``sourceConfig.config`` (what it does), the rest is shared."""
    return {
        "source": {
            "type": "trino",
            "serviceName": service_name,
            "serviceConnection": {"config": trino},
            "sourceConfig": {
                "config": {
                    **pipeline,
                    "schemaFilterPattern": {"includes": schema_patterns(env)},
                    "includeViews": True,
                }
            },
        },
        "sink": {"type": "metadata-rest", "config": {}},
        "workflowConfig": {"openMetadataServerConfig": server},
    }


def metadata_workflow_config(
    trino: dict[str, Any], server: dict[str, Any], env: str, service_name: str
) -> dict[str, Any]:
    pipeline = {"type": "DatabaseMetadata", "markDeletedTables": True}
    return _trino_workflow(trino, server, env, service_name, pipeline)


def dbt_workflow_config(
    target: ArtifactsTarget | None, server: dict[str, Any], service_name: str
) -> dict[str, Any]:
    """The ``dbt`` source over ``s3://<bucket>/<prefix>/`` (placeholder bucket without one)."""
    security: dict[str, Any] = {
        "awsRegion": target.region if target else "us-east-1",
    }
    kwargs = target.client_kwargs if target else {}
    if kwargs.get("aws_access_key_id"):
        security["awsAccessKeyId"] = kwargs["aws_access_key_id"]
        security["awsSecretAccessKey"] = kwargs["aws_secret_access_key"]
    if kwargs.get("endpoint_url"):
        security["endPointURL"] = kwargs["endpoint_url"]
    return {
        "source": {
            "type": "dbt",
            "serviceName": service_name,
            "sourceConfig": {
                "config": {
                    "type": "DBT",
                    "dbtConfigSource": {
                        "dbtConfigType": "s3",
                        "dbtSecurityConfig": security,
                        "dbtPrefixConfig": {
                            "dbtBucketName": target.bucket if target else PLACEHOLDER_BUCKET,
                            "dbtObjectPrefix": target.prefix if target else "dbt",
                        },
                    },
                    "dbtUpdateDescriptions": True,
                    "includeTags": True,
                }
            },
        },
        "sink": {"type": "metadata-rest", "config": {}},
        "workflowConfig": {"openMetadataServerConfig": server},
    }


def classification_workflow_config(
    trino: dict[str, Any], server: dict[str, Any], env: str, service_name: str
) -> dict[str, Any]:
    """Auto-classification (PII) of the warehouse and raw lake columns through Trino."""
    pipeline = {
        "type": "AutoClassification",
        "enableAutoClassification": True,
        "storeSampleData": False,
        "confidence": PII_CONFIDENCE,
    }
    config = _trino_workflow(trino, server, env, service_name, pipeline)
    return {**config, "processor": {"type": "orm-profiler", "config": {}}}


def validate(config: dict[str, Any]):
    """Validate with openmetadata-ingestion's models; return the ``OpenMetadataWorkflowConfig``.

    The parts are checked with their own models first: the whole config's source connection is
    a union of ~400 models, whose error would bury "hostPort: Field required".
    """
    from metadata.generated.schema.entity.services.connections.database.trinoConnection import (
        TrinoConnection,
    )
    from metadata.generated.schema.entity.services.connections.metadata.openMetadataConnection import (  # noqa: E501
        OpenMetadataConnection,
    )
    from metadata.generated.schema.metadataIngestion.databaseServiceAutoClassificationPipeline import (  # noqa: E501
        DatabaseServiceAutoClassificationPipeline,
    )
    from metadata.generated.schema.metadataIngestion.databaseServiceMetadataPipeline import (
        DatabaseServiceMetadataPipeline,
    )
    from metadata.generated.schema.metadataIngestion.dbtPipeline import DbtPipeline
    from metadata.generated.schema.metadataIngestion.workflow import OpenMetadataWorkflowConfig
    from pydantic import ValidationError

    source = config.get("source") or {}
    server = (config.get("workflowConfig") or {}).get("openMetadataServerConfig")
    connection = (source.get("serviceConnection") or {}).get("config")
    pipeline = (source.get("sourceConfig") or {}).get("config")
    parts = [("workflowConfig.openMetadataServerConfig", OpenMetadataConnection, server)]
    if source.get("type") == "trino":
        parts.append(("source.serviceConnection.config", TrinoConnection, connection))
        pipeline_model = (
            DatabaseServiceAutoClassificationPipeline
            if (pipeline or {}).get("type") == "AutoClassification"
            else DatabaseServiceMetadataPipeline
        )
        parts.append(("source.sourceConfig.config", pipeline_model, pipeline))
    elif source.get("type") == "dbt":
        parts.append(("source.sourceConfig.config", DbtPipeline, pipeline))
    try:
        for where, model, value in parts:
            _validate_part(where, model, value)
        return OpenMetadataWorkflowConfig.model_validate(config)
    except ValidationError as exc:
        raise WorkflowConfigError(
            f"{source.get('type', '?')} workflow config: {_summary(exc)}"
        ) from None


def _validate_part(where: str, model, value: Any) -> None:
    from pydantic import ValidationError

    try:
        model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        raise WorkflowConfigError(f"{where}: {_summary(exc)}") from None


def _summary(exc, limit: int = 5) -> str:
    errors = exc.errors()
    lines = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in errors]
    more = f" (+{len(lines) - limit} more)" if len(lines) > limit else ""
    return "; ".join(lines[:limit]) + more


def masked(config: Any) -> Any:
    """A copy with every secret value replaced by ``***`` (and each registered with the masker)."""
    config = copy.deepcopy(config)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SECRET_KEYS and isinstance(value, str) and value:
                    mask_secret(value)
                    node[key] = MASK
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        return node

    return walk(config)


def run_workflow(config: dict[str, Any]) -> None:
    """Run one workflow to completion; raise when any step reported failures."""
    pipeline_type = config["source"]["sourceConfig"]["config"].get("type")
    if pipeline_type == "AutoClassification":
        from metadata.workflow.classification import AutoClassificationWorkflow as Workflow
    else:
        from metadata.workflow.metadata import MetadataWorkflow as Workflow

    workflow = Workflow.create(config)
    try:
        workflow.execute()
        workflow.print_status()
        workflow.raise_from_status()
    finally:
        workflow.stop()


def build_configs(
    env: str, resolve: Resolve, target: ArtifactsTarget | None
) -> tuple[dict[str, dict[str, Any]], bool]:
    """Every workflow config by name (validated), and whether OpenMetadata is configured."""
    om_conn = resolve(OPENMETADATA_CONN_ID)
    server = server_config(om_conn)
    if om_conn is not None:
        mask_secret(server["securityConfig"]["jwtToken"])
    service = trino_service_name(env, om_conn)
    trino_conn = resolve(TRINO_CONN_ID)
    if om_conn is not None and trino_conn is None:
        raise ValueError(
            f"connection '{OPENMETADATA_CONN_ID}' is set but '{TRINO_CONN_ID}' is not: the "
            "metadata workflow needs Trino to harvest the warehouse"
        )
    if om_conn is not None and target is None:
        raise ValueError(
            f"connection '{OPENMETADATA_CONN_ID}' is set but OLP_DBT_ARTIFACTS_S3 is not: the "
            "dbt workflow reads the artifacts from there"
        )
    trino = trino_connection(trino_conn, env)
    configs = {
        "metadata": metadata_workflow_config(trino, server, env, service),
        "dbt": dbt_workflow_config(target, server, service),
        "pii": classification_workflow_config(trino, server, env, service),
    }
    for config in configs.values():
        validate(config)
    return configs, om_conn is not None


def ingest(
    workflow: str, env: str, resolve: Resolve, target: ArtifactsTarget | None
) -> dict[str, Any]:
    """Build and validate every config; run ``workflow`` (one of WORKFLOWS) when connected.

    Returns ``{"workflow", "status", "configs"}`` with the configs masked.
    """
    if workflow not in WORKFLOWS:
        raise ValueError(f"workflow {workflow!r} is not one of {', '.join(WORKFLOWS)}")
    built, connected = build_configs(env, resolve, target)
    configs = {name: masked(config) for name, config in built.items()}
    if not connected:
        log.info(
            "%s workflow %s (connection '%s' is not set); every config validated",
            workflow,
            SKIPPED,
            OPENMETADATA_CONN_ID,
        )
        return {"workflow": workflow, "status": SKIPPED, "configs": configs}
    config = built[workflow]
    log.info("running the OpenMetadata %s workflow: %s", workflow, configs[workflow]["source"])
    run_workflow(config)
    return {"workflow": workflow, "status": "succeeded", "configs": configs}
