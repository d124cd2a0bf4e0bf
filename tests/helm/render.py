"""Render helm/ol-platform with helm and read the result: objects, pod specs, commands.

``container_commands`` lists every command line the chart's containers run (their args,
command and exec probes) so that the image smoke test can check each one exists in the image:
``python -m tests.helm.render`` prints them as JSON for the values the chart tests cover.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "helm" / "ol-platform"
PRODUCTION_VALUES = CHART_DIR / "values-production.yaml"
RELEASE = "olp"
NAMESPACE = "data"
POD_TEMPLATE_KEY = "pod_template.yaml"

CELERY = {"executor": "CeleryExecutor", "celery": {"brokerUrl": {"name": "ol-redis", "key": "url"}}}
INGRESS = {"ingress": {"enabled": True, "host": "airflow.example.org", "tlsSecretName": "tls"}}
NETWORK_POLICY = {"networkPolicy": {"enabled": True}}
GLUE_CATALOG = {
    "icebergCatalog": {
        "type": "glue",
        "uri": "",
        "warehouse": "s3://ol-lake/warehouse",
        "properties": {"glue.region": "us-east-1", "s3.region": "us-east-1"},
        "secretProperties": {
            "glue.access-key-id": {"name": "ol-glue", "key": "access-key-id"},
            "glue.secret-access-key": {"name": "ol-glue", "key": "secret-access-key"},
        },
    },
    "envFromSecrets": ["ol-more-connections"],
    "connections": {"extra": {"edxorg_s3": {"name": "ol-edxorg", "key": "conn"}}},
    "extraWritablePaths": ["/opt/olp/dbt_project/logs"],
}

# name -> (values files, values): the configurations the chart tests render.
MATRIX: dict[str, tuple[tuple[Path, ...], dict[str, Any]]] = {
    "defaults": ((), {}),
    "production": ((PRODUCTION_VALUES,), {}),
    "kubernetes-networkpolicy": ((), NETWORK_POLICY),
    "kubernetes-ingress-glue": ((), {**INGRESS, **GLUE_CATALOG}),
    "celery": ((), CELERY),
    "celery-ingress-networkpolicy": ((), {**CELERY, **INGRESS, **NETWORK_POLICY}),
    "production-celery": ((PRODUCTION_VALUES,), CELERY),
}


class HelmFailed(RuntimeError):
    """helm exited non-zero; the message is its stderr."""


def helm_path() -> Path:
    return Path(os.environ.get("OLP_HELM", REPO_ROOT / ".olp" / "bin" / "helm"))


def run_helm(
    args: Sequence[str],
    values_files: Sequence[Path] = (),
    values: Mapping[str, Any] | None = None,
    helm: Path | None = None,
) -> str:
    """Run ``helm <args> CHART -f ...`` and return stdout; values go through a file."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as extra:
        yaml.safe_dump(dict(values or {}), extra)
    try:
        command = [str(helm or helm_path()), *args, str(CHART_DIR)]
        for path in (*values_files, Path(extra.name)):
            command += ["--values", str(path)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        os.unlink(extra.name)
    if result.returncode != 0:
        raise HelmFailed(result.stderr.strip() or result.stdout.strip())
    return result.stdout


def render(
    values_files: Sequence[Path] = (),
    values: Mapping[str, Any] | None = None,
    helm: Path | None = None,
) -> list[dict[str, Any]]:
    """The chart's objects as ``helm template`` renders them (hooks included)."""
    out = run_helm(["template", RELEASE, "--namespace", NAMESPACE], values_files, values, helm)
    return [doc for doc in yaml.safe_load_all(out) if doc]


def by_kind(docs: Sequence[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def get(docs: Sequence[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    if len(found) != 1:
        raise KeyError(f"{kind}/{name}: found {len(found)}")
    return found[0]


def pod_template_of(docs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The KubernetesExecutor's pod template (a Pod) from its ConfigMap, if rendered."""
    for cm in by_kind(docs, "ConfigMap"):
        if POD_TEMPLATE_KEY in cm.get("data", {}):
            return yaml.safe_load(cm["data"][POD_TEMPLATE_KEY])
    return None


def pod_specs(docs: Sequence[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``Kind/name``, pod spec) of every workload, the Job and the pod template."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]
    template = pod_template_of(docs)
    if template is not None:
        yield "PodTemplate/" + POD_TEMPLATE_KEY, template["spec"]


def containers(docs: Sequence[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for where, spec in pod_specs(docs):
        for container in (*spec.get("initContainers", []), *spec["containers"]):
            yield f"{where}/{container['name']}", container


def container_commands(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every command line the rendered containers run, for the image smoke test.

    One entry per container: ``args`` (what the image's entrypoint receives), ``command``
    (when the chart overrides the entrypoint) and ``exec_probes`` (argv run directly in the
    container, bypassing the entrypoint). The pod template's container has neither command
    nor args: the KubernetesExecutor sets them.
    """
    found = []
    for where, container in containers(docs):
        probes = [
            container[p]["exec"]["command"]
            for p in ("startupProbe", "livenessProbe", "readinessProbe")
            if "exec" in container.get(p, {})
        ]
        found.append(
            {
                "container": where,
                "command": container.get("command"),
                "args": container.get("args"),
                "exec_probes": probes,
            }
        )
    return found


def main() -> None:
    """Print the command lines of every configuration in MATRIX as JSON (deduplicated)."""
    installer = REPO_ROOT / "tools" / "install_helm.py"
    out = subprocess.run(
        [sys.executable, str(installer)], capture_output=True, text=True, check=True
    )
    helm = Path(out.stdout.strip().splitlines()[-1])
    seen: dict[str, dict[str, Any]] = {}
    for files, values in MATRIX.values():
        for entry in container_commands(render(files, values, helm)):
            key = json.dumps([entry["command"], entry["args"], entry["exec_probes"]])
            seen.setdefault(key, entry)
    json.dump(list(seen.values()), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
