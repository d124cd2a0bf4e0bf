"""What the chart tells Airflow exists in the Airflow this project installs (and the image runs).

Every AIRFLOW__SECTION__KEY the chart renders is a real option, the executor and auth
manager classes import, and every ``airflow`` command line of the containers and probes
parses with Airflow's own CLI parser under the executor that pod runs with.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.helm.render import container_commands, containers, run_helm

# The platform's wrappers of Airflow commands: `python -m <module> [args]` runs
# `airflow <command> [args]` with its fixes.
PATCHED = {
    "ol_platform.orchestration.dag_processor": "dag-processor",
    "ol_platform.orchestration.scheduler": "scheduler",
    "ol_platform.orchestration.triggerer": "triggerer",
}
# Options of plugins rather than of Airflow or its providers.
PLUGIN_SECTIONS = {"openmetadata_airflow_apis"}
AIRFLOW_SUBCOMMANDS = {
    "api-server",
    "scheduler",
    "dag-processor",
    "triggerer",
    "db",
    "celery",
    "jobs",
}


def import_string(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def env_values(docs: list[dict]) -> dict[str, str]:
    container = next(containers(docs))[1]
    return {e["name"]: e["value"] for e in container["env"] if "value" in e}


def test_every_airflow_option_the_chart_sets_exists(rendered):
    from airflow.configuration import conf

    conf.load_providers_configuration()
    known = conf.configuration_description
    for name, docs in rendered.items():
        for _, container in containers(docs):
            for entry in container["env"]:
                if not entry["name"].startswith("AIRFLOW__"):
                    continue
                _, section, key = entry["name"].lower().split("__", 2)
                if section in PLUGIN_SECTIONS:
                    continue
                options = known.get(section, {}).get("options", {})
                assert key in options, f"{name}: {entry['name']} is not an Airflow option"


def test_executor_and_auth_manager_classes_are_installed(rendered):
    """The image is built from this project's lockfile: what the chart names must import."""
    from airflow.executors.executor_loader import ExecutorLoader

    for name in ("defaults", "celery"):
        env = env_values(rendered[name])
        executor = env["AIRFLOW__CORE__EXECUTOR"]
        assert import_string(ExecutorLoader.executors[executor]).__name__ == executor
        auth_manager = import_string(env["AIRFLOW__CORE__AUTH_MANAGER"])
        assert auth_manager.__name__ == "FabAuthManager"


def test_the_plugins_the_api_server_serves_are_registered():
    """Both load through the `airflow.plugins` entry point: no plugins folder to mount."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="airflow.plugins")}
    assert {"ol_platform", "openmetadata_managed_apis"} <= names


PARSE = """
import json, sys
from airflow.cli.cli_parser import get_parser
failed = []
for argv in json.load(sys.stdin):
    try:
        get_parser().parse_args(argv)
    except SystemExit:
        failed.append(argv)
print(json.dumps(failed))
"""


@pytest.mark.parametrize("name", ["defaults", "celery"])
def test_every_airflow_command_line_parses(helm, rendered, name, tmp_path):
    docs = rendered[name]
    argvs = []
    for entry in container_commands(docs):
        args = entry["args"] or []
        if args and args[0] in AIRFLOW_SUBCOMMANDS:
            argvs.append(args)  # the image's entrypoint runs `airflow "$@"`
        elif args[:2] == ["python", "-m"] and args[2] in PATCHED:
            argvs.append([PATCHED[args[2]], *args[3:]])
        argvs += [probe[1:] for probe in entry["exec_probes"] if probe[0] == "airflow"]
    assert len(argvs) >= 6
    # The install notes' first-install command (FAB auth manager) must parse as well.
    notes = run_helm(["install", "olp", "--dry-run=client"], helm=helm).split("NOTES:", 1)[1]
    (line,) = [ln for ln in notes.splitlines() if "airflow users create" in ln]
    argvs.append([re.sub(r"<.+>", "x", word) for word in shlex.split(line)][1:])
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), **env_values(docs)}
    env.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
    result = subprocess.run(
        [sys.executable, "-c", PARSE],
        input=json.dumps(argvs),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr[-2000:]


def test_the_kubernetes_executor_builds_valid_task_pods_from_the_template(rendered, tmp_path):
    """The provider's own PodGenerator merges the template with a task: one hardened container."""
    import kubernetes_validate
    from airflow.providers.cncf.kubernetes.pod_generator import PodGenerator
    from kubernetes.client import ApiClient

    docs = rendered["production"]
    (template_cm,) = [d for d in docs if d["metadata"]["name"].endswith("-pod-template")]
    path = tmp_path / "pod_template.yaml"
    path.write_text(template_cm["data"]["pod_template.yaml"])
    env = env_values(docs)
    image = (
        f"{env['AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY']}:"
        + env["AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG"]
    )
    args = ["python", "-m", "airflow.sdk.execution_time.execute_workload", "--json-string", "{}"]
    pod = PodGenerator.construct_pod(
        dag_id="transform",
        task_id="dbt_build",
        pod_id="transform-dbt-build",
        try_number=1,
        kube_image=image,
        date=None,
        args=args,
        pod_override_object=None,
        base_worker_pod=PodGenerator.deserialize_model_file(str(path)),
        namespace=env["AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE"],
        scheduler_job_id="1",
    )
    manifest = ApiClient().sanitize_for_serialization(pod)
    kubernetes_validate.validate(manifest, kubernetes_validate.utils.latest_version(), strict=True)
    (container,) = manifest["spec"]["containers"]
    assert container["name"] == "base" and container["image"] == image
    assert container["args"] == args
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    names = {e["name"] for e in container["env"]}
    assert {"AIRFLOW_IS_K8S_EXECUTOR_POD", "AIRFLOW_CONN_TRINO_DEFAULT", "OLP_ENV"} <= names
    assert manifest["spec"]["serviceAccountName"].endswith("-worker")
    assert manifest["spec"]["securityContext"]["runAsUser"] == 50000
