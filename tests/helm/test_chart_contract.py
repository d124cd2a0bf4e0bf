"""The chart's public contract: valid Kubernetes, clean lint, and values refused by key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.helm.render import (
    CHART_DIR,
    NAMESPACE,
    PRODUCTION_VALUES,
    HelmFailed,
    containers,
    pod_template_of,
    render,
    run_helm,
)

SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
# The newest Kubernetes release whose OpenAPI schemas kubernetes-validate ships (offline).
KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()


def docs_containers(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [container for _, container in containers(docs)]


def validate(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_every_rendered_manifest_is_valid_kubernetes_in_strict_mode(case):
    name, docs = case
    template = pod_template_of(docs)
    for obj in (*docs, *([template] if template else [])):
        try:
            validate(obj)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name}: {obj['kind']}/{obj['metadata']['name']}: {exc}")


def test_manifests_are_valid_on_the_oldest_kubernetes_the_chart_accepts(rendered):
    chart = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())
    oldest = chart["kubeVersion"].removeprefix(">=").removesuffix("-0")
    for name in ("production", "celery-ingress-networkpolicy"):
        docs = rendered[name]
        template = pod_template_of(docs)
        for obj in (*docs, *([template] if template else [])):
            kubernetes_validate.validate(obj, oldest, strict=True)


def test_strict_validation_refuses_an_unknown_field(rendered):
    """Guards the test above: the validator really is strict and offline."""
    deployment = next(d for d in rendered["defaults"] if d["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinessProbes"):
        validate(broken)


@pytest.mark.parametrize(
    "values_files", [(), (PRODUCTION_VALUES,)], ids=["defaults", "production-example"]
)
def test_helm_lint_strict_passes(helm, values_files):
    out = run_helm(["lint", "--strict"], values_files, helm=helm)
    assert "1 chart(s) linted, 0 chart(s) failed" in out


def test_notes_tell_the_operator_how_to_reach_the_ui(helm):
    args = ["install", "olp", "--dry-run=client", "--namespace", NAMESPACE]
    port_forward = run_helm(args, helm=helm)
    notes = port_forward.split("NOTES:", 1)[1]
    assert "port-forward service/olp-ol-platform-api-server 8080:8080" in notes
    assert "airflow users create --role Admin" in notes
    ingress = run_helm(args, (PRODUCTION_VALUES,), helm=helm).split("NOTES:", 1)[1]
    assert "https://airflow.ol-data.mit.edu" in ingress


# (values, the key helm's error must name, what it must say about it)
BAD_VALUES = {
    "unknown-top-level-key": ({"executer": "CeleryExecutor"}, "additional properties 'executer'"),
    "unknown-nested-key": ({"scheduler": {"replica": 2}}, "at '/scheduler'"),
    "unknown-connection": (
        {"connections": {"trino_defualt": {"name": "s", "key": "k"}}},
        "additional properties 'trino_defualt'",
    ),
    "wrong-type-replicas": ({"apiServer": {"replicas": "two"}}, "at '/apiServer/replicas'"),
    "wrong-type-connection": ({"connections": {"canvas_api": "s3cr3t"}}, "/connections/canvas_api"),
    "bad-enum-executor": ({"executor": "LocalExecutor"}, "at '/executor'"),
    "bad-enum-env": ({"olpEnv": "local"}, "at '/olpEnv'"),
    "missing-db-secret": ({"secrets": {"metadataDb": None}}, "missing property 'metadataDb'"),
    "missing-secret-key": (
        {"secrets": {"fernetKey": {"name": "ol-airflow", "key": None}}},
        "at '/secrets/fernetKey'",
    ),
    "missing-broker-with-celery": (
        {"executor": "CeleryExecutor"},
        "at '/celery/brokerUrl/name'",
    ),
    "missing-ingress-host": ({"ingress": {"enabled": True}}, "at '/ingress/host'"),
    "missing-rest-uri": ({"icebergCatalog": {"uri": ""}}, "at '/icebergCatalog/uri'"),
    "missing-remote-log-folder": (
        {"logs": {"remote": {"enabled": True}}},
        "at '/logs/remote/baseFolder'",
    ),
    "secret-as-catalog-property": (
        {"icebergCatalog": {"properties": {"s3.secret-access-key": "AKIA..."}}},
        "at '/icebergCatalog/properties/s3.secret-access-key'",
    ),
    "secret-as-airflow-config": (
        {"airflow": {"config": {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://u:p@h/db"}}},
        "at '/airflow/config/AIRFLOW__DATABASE__SQL_ALCHEMY_CONN'",
    ),
    "production-without-artifact-buckets": (
        {"olpEnv": "production"},
        "at '/dbtArtifacts/openmetadataS3': minLength",
    ),
    "platform-env-overrides-the-chart": (
        {"platformEnv": {"OLP_HOME": "/data"}},
        "at '/platformEnv/OLP_HOME'",
    ),
    "platform-env-not-olp": ({"platformEnv": {"HOME": "/data"}}, "'HOME'"),
    "root-as-writable-path": ({"extraWritablePaths": ["/"]}, "at '/extraWritablePaths/0'"),
    "negative-resources": (
        {"workers": {"resources": {"requests": {"cpu": "-1", "memory": "1Gi"}}}},
        "at '/workers/resources/requests/cpu'",
    ),
}


@pytest.mark.parametrize("values,names", BAD_VALUES.values(), ids=BAD_VALUES)
def test_bad_values_are_refused_naming_the_key(helm, values, names):
    with pytest.raises(HelmFailed) as refused:
        render(values=values, helm=helm)
    message = str(refused.value)
    assert "don't meet the specifications of the schema" in message
    assert names in message, message


def test_helm_install_refuses_bad_values_before_touching_a_cluster(helm):
    args = ["install", "olp", "--dry-run=client", "--namespace", NAMESPACE]
    with pytest.raises(HelmFailed, match="at '/scheduler/replicas'"):
        run_helm(args, values={"scheduler": {"replicas": 0}}, helm=helm)


def _objects(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        return
    yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _objects(sub, f"{path}.{name}")
    for key in ("additionalProperties", "items"):
        if isinstance(schema.get(key), dict):
            yield from _objects(schema[key], f"{path}[{key}]")
    for name, sub in schema.get("$defs", {}).items():
        yield from _objects(sub, f"$defs.{name}")
    for sub in schema.get("oneOf", []):
        yield from _objects(sub, path)


def test_schema_is_strict_and_documented():
    """Every property has a description; every object with fixed keys refuses others."""
    for path, node in _objects(SCHEMA):
        for name, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{path}.{name} has no description"
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False, f"{path} accepts unknown keys"


def test_values_yaml_sets_every_key_of_the_schema():
    """values.yaml documents every key of the contract (the schema refuses any other)."""

    def check(values: Any, schema: dict[str, Any], path: str) -> None:
        if "$ref" in schema:
            schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
        if not isinstance(values, dict) or "properties" not in schema:
            return
        documented = set(schema["properties"]) - {"global"}
        # At the top level every key; below, at least the required ones.
        expected = set(schema.get("required", ())) if path else documented
        assert expected <= set(values) <= documented, f"values.yaml{path}: {set(values) ^ expected}"
        for name, sub in values.items():
            check(sub, schema["properties"][name], f"{path}.{name}")

    check(yaml.safe_load((CHART_DIR / "values.yaml").read_text()), SCHEMA, "")


def test_airflow_config_cannot_override_what_the_chart_sets(helm, rendered):
    """A chart-managed option set again in airflow.config would silently fight the chart."""
    production_config = yaml.safe_load(PRODUCTION_VALUES.read_text())["airflow"]["config"]
    managed = {
        entry["name"]
        for docs in rendered.values()
        for container in docs_containers(docs)
        for entry in container["env"]
        if entry["name"].startswith("AIRFLOW__") and entry["name"] not in production_config
    }
    assert len(managed) >= 20
    for name in sorted(managed):
        with pytest.raises(HelmFailed, match=f"at '/airflow/config/{name}'"):
            render(values={"airflow": {"config": {name: "x"}}}, helm=helm)


def test_no_container_sets_a_variable_twice(case):
    name, docs = case
    for container in docs_containers(docs):
        names = [entry["name"] for entry in container["env"]]
        assert len(names) == len(set(names)), f"{name}: {container['name']}"
