"""The rendered chart, asserted by path for every configuration of the matrix."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.helm.render import (
    NAMESPACE,
    PRODUCTION_VALUES,
    by_kind,
    container_commands,
    containers,
    get,
    pod_specs,
    pod_template_of,
)

FULLNAME = "olp-ol-platform"
COMPONENT_ARGS = {
    "api-server": ["api-server", "--port", "8080"],
    "scheduler": ["python", "-m", "ol_platform.orchestration.scheduler"],
    "dag-processor": ["python", "-m", "ol_platform.orchestration.dag_processor"],
    "triggerer": ["python", "-m", "ol_platform.orchestration.triggerer"],
}
WRITABLE = {"/tmp", "/opt/airflow/logs", "/var/lib/olp", "/home/airflow/.cache"}
# Environment variables that carry a secret: only ever a secretKeyRef.
SECRET_ENV = re.compile(
    r"SQL_ALCHEMY_CONN|FERNET_KEY|JWT_SECRET|__SECRET_KEY$|BROKER_URL|^AIRFLOW_CONN_"
    r"|PASSWORD|TOKEN|CREDENTIAL|ACCESS_KEY"
)


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet")]


def workload(docs: list[dict], component: str) -> dict:
    """The Deployment or StatefulSet of a component."""
    (found,) = [w for w in workloads(docs) if w["metadata"]["name"] == f"{FULLNAME}-{component}"]
    return found


def executor_of(docs: list[dict]) -> str:
    scheduler = get(docs, "Deployment", f"{FULLNAME}-scheduler")
    env = env_of(scheduler["spec"]["template"]["spec"]["containers"][0])
    return env["AIRFLOW__CORE__EXECUTOR"]["value"]


def test_every_component_runs_its_airflow_command(case):
    _, docs = case
    for component, args in COMPONENT_ARGS.items():
        container = workload(docs, component)["spec"]["template"]["spec"]["containers"][0]
        assert container["args"][: len(args)] == args
        assert "command" not in container, "the image's entrypoint must run every component"


def test_every_container_is_non_root_with_a_read_only_root_filesystem(case):
    _, docs = case
    specs = list(pod_specs(docs))
    assert len(specs) >= 5
    for where, spec in specs:
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, where
        assert pod_sc["runAsUser"] == 50000, where
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 50000, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
            mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
            for path in WRITABLE:
                assert "emptyDir" in mounts[path], f"{where}: {path} is not an emptyDir"


def test_every_long_running_container_has_a_liveness_probe_and_resources(case):
    _, docs = case
    for workload in workloads(docs):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container, where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert "memory" in resources["limits"], where
    for where, spec in pod_specs(docs):
        for container in spec["containers"]:
            assert container["resources"]["limits"]["memory"], where


def test_health_probes_follow_the_image_contract(case):
    _, docs = case
    api = get(docs, "Deployment", f"{FULLNAME}-api-server")["spec"]["template"]["spec"]
    api_container = api["containers"][0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert api_container[probe]["httpGet"]["path"] == "/api/v2/monitor/health"
        assert api_container[probe]["httpGet"]["port"] == "http"
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in api_container["ports"]

    scheduler = get(docs, "Deployment", f"{FULLNAME}-scheduler")["spec"]["template"]["spec"]
    container = scheduler["containers"][0]
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "health"}
    assert {"name": "health", "containerPort": 8974, "protocol": "TCP"} in container["ports"]
    assert env_of(container)["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"]["value"] == "True"

    for component, job in (("dag-processor", "DagProcessorJob"), ("triggerer", "TriggererJob")):
        spec = workload(docs, component)["spec"]["template"]["spec"]
        command = spec["containers"][0]["livenessProbe"]["exec"]["command"]
        assert command == ["airflow", "jobs", "check", "--job-type", job, "--local"]


def test_secrets_only_arrive_by_reference(case):
    _, docs = case
    assert not by_kind(docs, "Secret"), "the chart must never render a Secret"
    for where, container in containers(docs):
        for name, entry in env_of(container).items():
            if SECRET_ENV.search(name):
                assert "value" not in entry, f"{where}: {name} has a literal value"
                assert entry["valueFrom"]["secretKeyRef"]["name"], f"{where}: {name}"


def test_rendered_configmaps_hold_no_secret(case):
    _, docs = case
    for cm in by_kind(docs, "ConfigMap"):
        for key, text in cm.get("data", {}).items():
            for doc in yaml.safe_load_all(text):
                for container in doc["spec"]["containers"]:
                    for name, entry in env_of(container).items():
                        if SECRET_ENV.search(name):
                            assert set(entry) == {"name", "valueFrom"}, f"{key}: {name}"


def test_every_pod_gets_the_same_environment(case):
    """Tasks must see the connections and catalog the scheduler sees."""
    _, docs = case
    envs = {where: env_of(c) for where, c in containers(docs)}
    first_where, first = next(iter(envs.items()))
    for where, env in envs.items():
        assert env == first, f"{where} differs from {first_where}"


def test_connections_and_airflow_secrets_come_from_the_configured_secret_keys(rendered):
    values = yaml.safe_load(PRODUCTION_VALUES.read_text())
    expected = {
        f"AIRFLOW_CONN_{conn_id.upper()}": ref
        for conn_id, ref in values["connections"].items()
        if conn_id != "extra" and ref
    }
    expected |= {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": values["secrets"]["metadataDb"],
        "AIRFLOW__CORE__FERNET_KEY": values["secrets"]["fernetKey"],
        "AIRFLOW__API_AUTH__JWT_SECRET": values["secrets"]["jwtSecret"],
        "AIRFLOW__API__SECRET_KEY": values["secrets"]["apiSecretKey"],
    }
    assert len(expected) == 14
    for where, container in containers(rendered["production"]):
        env = env_of(container)
        for name, ref in expected.items():
            assert env[name]["valueFrom"]["secretKeyRef"] == ref, f"{where}: {name}"


def test_unconfigured_connections_are_left_out(rendered):
    env = env_of(next(containers(rendered["defaults"]))[1])
    assert not [name for name in env if name.startswith("AIRFLOW_CONN_")]


def test_extra_connections_and_env_from_secrets(rendered):
    for where, container in containers(rendered["kubernetes-ingress-glue"]):
        env = env_of(container)
        ref = env["AIRFLOW_CONN_EDXORG_S3"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "ol-edxorg", "key": "conn"}, where
        assert container["envFrom"] == [{"secretRef": {"name": "ol-more-connections"}}], where
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert "/opt/olp/dbt_project/logs" in mounts, where


def test_the_iceberg_catalog_reaches_pyiceberg_as_configured(rendered, monkeypatch):
    """pyiceberg itself reads the rendered environment back into the catalog's properties."""
    from pyiceberg.utils.config import Config

    from ol_platform.lake.catalog import CATALOG_NAME

    container = next(containers(rendered["kubernetes-ingress-glue"]))[1]
    secret_values = {}
    for name, entry in env_of(container).items():
        if name.startswith("PYICEBERG_"):
            if "value" in entry:
                monkeypatch.setenv(name, entry["value"])
            else:  # what the kubelet would inject from the Secret
                ref = entry["valueFrom"]["secretKeyRef"]
                secret_values[name] = f"{ref['name']}/{ref['key']}"
                monkeypatch.setenv(name, secret_values[name])
    assert Config().get_catalog_config(CATALOG_NAME) == {
        "type": "glue",
        "warehouse": "s3://ol-lake/warehouse",
        "glue.region": "us-east-1",
        "s3.region": "us-east-1",
        "glue.access-key-id": "ol-glue/access-key-id",
        "glue.secret-access-key": "ol-glue/secret-access-key",
    }
    assert len(secret_values) == 2


def test_artifact_locations_use_the_variables_the_platform_reads(rendered, monkeypatch):
    from ol_platform.catalog.artifacts_upload import ARTIFACTS_CONN_ENV, ARTIFACTS_URL_ENV
    from ol_platform.transform.artifacts import artifacts_root

    values = yaml.safe_load(PRODUCTION_VALUES.read_text())["dbtArtifacts"]
    env = env_of(next(containers(rendered["production"]))[1])
    assert env[ARTIFACTS_URL_ENV]["value"] == values["openmetadataS3"]
    assert env[ARTIFACTS_CONN_ENV]["value"] == values["connId"]
    for name, entry in env.items():
        if name.startswith("OLP_DBT_ARTIFACTS"):
            monkeypatch.setenv(name, entry["value"])
    assert artifacts_root() == values["url"]


def test_olp_env_is_a_profile_the_platform_knows(rendered, monkeypatch):
    from ol_platform.settings import get_settings

    # Production is chosen explicitly: the defaults run as qa (Airbyte, no sample systems).
    for name, production in (("defaults", False), ("production", True)):
        env = env_of(next(containers(rendered[name]))[1])
        monkeypatch.setenv("OLP_ENV", env["OLP_ENV"]["value"])
        settings = get_settings()
        assert settings.is_production is production and not settings.uses_samples, name


def test_platform_settings_reach_every_pod(rendered):
    for where, container in containers(rendered["production"]):
        assert env_of(container)["OLP_DBT_RENDER"]["value"] == "build", where


def test_migrate_job_is_a_pre_install_and_pre_upgrade_hook(case):
    _, docs = case
    job = get(docs, "Job", f"{FULLNAME}-migrate-database")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert set(annotations["helm.sh/hook-delete-policy"].split(",")) == {
        "before-hook-creation",
        "hook-succeeded",
    }
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["args"] == ["db", "migrate"]
    # A hook runs before the release's ServiceAccount and ConfigMaps exist.
    assert "serviceAccountName" not in spec
    assert not [v for v in spec["volumes"] if "configMap" in v]
    assert job["spec"]["activeDeadlineSeconds"] > 0


def test_kubernetes_executor_rbac_exists_only_with_that_executor(case):
    name, docs = case
    roles, bindings = by_kind(docs, "Role"), by_kind(docs, "RoleBinding")
    if executor_of(docs) != "KubernetesExecutor":
        assert roles == [] and bindings == [], name
        return
    (role,) = roles
    rules = {
        resource: set(rule["verbs"]) for rule in role["rules"] for resource in rule["resources"]
    }
    assert {"create", "list", "watch", "delete", "patch"} <= rules["pods"]
    assert "get" in rules["pods/log"]
    assert {"list", "watch"} <= rules["events"]
    (binding,) = bindings
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    scheduler = get(docs, "Deployment", f"{FULLNAME}-scheduler")["spec"]["template"]["spec"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": scheduler["serviceAccountName"], "namespace": NAMESPACE}
    ]
    assert scheduler["automountServiceAccountToken"] is True


def test_task_pods_and_workers_get_no_kubernetes_api_rights(case):
    _, docs = case
    component_sa = get(docs, "Deployment", f"{FULLNAME}-scheduler")["spec"]["template"]["spec"][
        "serviceAccountName"
    ]
    for where, spec in pod_specs(docs):
        if where.startswith("PodTemplate/") or where.endswith("-worker"):
            assert spec["serviceAccountName"] != component_sa, where
            assert spec["automountServiceAccountToken"] is False, where
        if "dag-processor" in where or "triggerer" in where or "migrate" in where:
            assert spec["automountServiceAccountToken"] is False, where


def test_pod_template_runs_the_same_image_in_a_container_named_base(case):
    name, docs = case
    template = pod_template_of(docs)
    scheduler = get(docs, "Deployment", f"{FULLNAME}-scheduler")["spec"]["template"]["spec"]
    env = env_of(scheduler["containers"][0])
    if executor_of(docs) != "KubernetesExecutor":
        assert template is None, name
        return
    (container,) = template["spec"]["containers"]
    assert container["name"] == "base"
    assert container["image"] == scheduler["containers"][0]["image"]
    assert "args" not in container and "command" not in container
    # The scheduler reads the template where the executor is told to look.
    path = env["AIRFLOW__KUBERNETES_EXECUTOR__POD_TEMPLATE_FILE"]["value"]
    mounts = scheduler["containers"][0]["volumeMounts"]
    mount = next(m for m in mounts if m["name"] == "pod-template")
    assert path == f"{mount['mountPath']}/pod_template.yaml"
    volume = next(v for v in scheduler["volumes"] if v["name"] == "pod-template")
    assert volume["configMap"]["name"] == f"{FULLNAME}-pod-template"
    repo, tag = container["image"].rsplit(":", 1)
    assert env["AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY"]["value"] == repo
    assert env["AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG"]["value"] == tag


def test_celery_runs_workers_from_the_redis_secret(rendered):
    for name in ("celery", "production-celery"):
        docs = rendered[name]
        assert not [d for d in docs if d["metadata"]["name"].endswith("pod-template")]
        worker = get(docs, "StatefulSet", f"{FULLNAME}-worker")
        container = worker["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["celery", "worker"]
        broker = env_of(container)["AIRFLOW__CELERY__BROKER_URL"]
        assert broker == {
            "name": "AIRFLOW__CELERY__BROKER_URL",
            "valueFrom": {"secretKeyRef": {"name": "ol-redis", "key": "url"}},
        }
        # Log fetching needs stable host names: a headless Service governs the StatefulSet.
        service = get(docs, "Service", worker["spec"]["serviceName"])
        assert service["spec"]["clusterIP"] == "None"
        assert get(docs, "PodDisruptionBudget", f"{FULLNAME}-worker")


def test_no_worker_without_celery(rendered):
    for name in ("defaults", "production", "kubernetes-networkpolicy"):
        names = [s["metadata"]["name"] for s in by_kind(rendered[name], "StatefulSet")]
        assert names == [f"{FULLNAME}-triggerer"], name


def test_log_servers_have_stable_host_names(case):
    """The api-server fetches logs from the triggerer (and Celery workers) by host name."""
    _, docs = case
    for set_ in by_kind(docs, "StatefulSet"):
        service = get(docs, "Service", set_["spec"]["serviceName"])
        assert service["spec"]["clusterIP"] == "None"
        ports = set_["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert {p["name"] for p in service["spec"]["ports"]} == {p["name"] for p in ports}


def test_services_and_budgets_select_their_pods(case):
    _, docs = case
    pod_labels = {
        f"{w['kind']}/{w['metadata']['name']}": w["spec"]["template"]["metadata"]["labels"]
        for w in workloads(docs)
    }
    for obj in (*by_kind(docs, "Service"), *by_kind(docs, "PodDisruptionBudget")):
        selector = obj["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        matched = [w for w, labels in pod_labels.items() if selector.items() <= labels.items()]
        assert len(matched) == 1, f"{obj['kind']}/{obj['metadata']['name']} selects {matched}"
    budgets = {pdb["metadata"]["name"] for pdb in by_kind(docs, "PodDisruptionBudget")}
    assert budgets == {w["metadata"]["name"] for w in workloads(docs)}


def test_ingress_routes_the_ui_to_the_api_server(rendered):
    docs = rendered["kubernetes-ingress-glue"]
    (ingress,) = by_kind(docs, "Ingress")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "airflow.example.org"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    service = get(docs, "Service", backend["name"])
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert ingress["spec"]["tls"] == [{"hosts": ["airflow.example.org"], "secretName": "tls"}]
    env = env_of(next(containers(docs))[1])
    assert env["AIRFLOW__API__BASE_URL"]["value"] == "https://airflow.example.org"


def test_no_ingress_unless_enabled(rendered):
    for name in ("defaults", "celery", "kubernetes-networkpolicy"):
        assert by_kind(rendered[name], "Ingress") == [], name
        # Unset: FAB's login redirect stays relative, reachable through a port-forward.
        env = env_of(next(containers(rendered[name]))[1])
        assert "AIRFLOW__API__BASE_URL" not in env


def test_network_policy_closes_every_pod_but_the_api_port(rendered):
    for name in ("kubernetes-networkpolicy", "celery-ingress-networkpolicy", "production"):
        docs = rendered[name]
        policies = {p["metadata"]["name"]: p["spec"] for p in by_kind(docs, "NetworkPolicy")}
        deny = policies[f"{FULLNAME}-default-deny"]
        assert deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
        for workload in workloads(docs):
            labels = workload["spec"]["template"]["metadata"]["labels"]
            assert deny["podSelector"]["matchLabels"].items() <= labels.items()
        api = policies[f"{FULLNAME}-api-server"]
        assert api["ingress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}]
        peers = api["ingress"][0]["from"]
        assert {"podSelector": {"matchLabels": deny["podSelector"]["matchLabels"]}} in peers
        assert {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
        } in peers
        assert (f"{FULLNAME}-worker-logs" in policies) == (executor_of(docs) == "CeleryExecutor")
        logs = policies[f"{FULLNAME}-triggerer-logs"]["ingress"][0]
        assert logs["ports"] == [{"port": "triggerer-logs", "protocol": "TCP"}]
    assert by_kind(rendered["defaults"], "NetworkPolicy") == []


def test_openmetadata_generated_dags_share_one_volume(rendered):
    """managed-apis writes DAG files on the api-server; the dag-processor and tasks read them."""
    docs = rendered["production"]
    for where, spec in pod_specs(docs):
        if "migrate" in where:
            continue
        claims = [v for v in spec["volumes"] if "persistentVolumeClaim" in v]
        assert claims == [
            {
                "name": "openmetadata-dags",
                "persistentVolumeClaim": {"claimName": "ol-airflow-openmetadata-dags"},
            }
        ], where
    env = env_of(next(containers(docs))[1])
    dags_folder = env["AIRFLOW__CORE__DAGS_FOLDER"]["value"]
    assert dags_folder.startswith("/opt/airflow/openmetadata/")
    bundles = yaml.safe_load(env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"]["value"])
    assert [b["kwargs"]["path"] for b in bundles] == ["/opt/olp/dags", dags_folder]
    assert "AIRFLOW__CORE__DAGS_FOLDER" not in env_of(next(containers(rendered["defaults"]))[1])


def test_remote_logging_when_enabled(rendered):
    env = env_of(next(containers(rendered["production"]))[1])
    assert env["AIRFLOW__LOGGING__REMOTE_LOGGING"]["value"] == "True"
    assert env["AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER"]["value"].startswith("s3://")


def test_container_commands_lists_every_command_line(rendered):
    entries = container_commands(rendered["celery"])
    args = {tuple(e["args"] or ()) for e in entries}
    assert ("celery", "worker") in args and ("db", "migrate") in args
    assert ("api-server", "--port", "8080", "--workers", "2") in args
    probes = [p for e in entries for p in e["exec_probes"]]
    assert ["airflow", "jobs", "check", "--job-type", "TriggererJob", "--local"] in probes
    assert any(p[0] == "sh" and "celery" in p[-1] for p in probes)
    base = container_commands(rendered["defaults"])
    (template,) = [e for e in base if e["container"].startswith("PodTemplate/")]
    assert template["args"] is None and template["command"] is None


def test_tasks_reach_the_execution_api_through_the_api_server_service(case):
    _, docs = case
    service = get(docs, "Service", f"{FULLNAME}-api-server")
    port = service["spec"]["ports"][0]["port"]
    host = f"{service['metadata']['name']}.{NAMESPACE}.svc"
    for where, container in containers(docs):
        url = env_of(container)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]["value"]
        assert url == f"http://{host}:{port}/execution/", where
