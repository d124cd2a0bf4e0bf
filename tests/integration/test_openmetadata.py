"""dbt artifacts to S3 (a moto server) and OpenMetadata's workflow configs.

Upload: manifest and catalog only when changed (MD5 against the object), run_results every
build under ``runs/<invocation id>/``. Workflows: both configs validate with
openmetadata-ingestion's own models, a broken one does not, and without an OpenMetadata
connection the tasks say they skipped; with one, the workflow really calls the server.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from ol_platform.catalog.artifacts_upload import (
    ArtifactsTarget,
    upload_artifacts,
)

BUCKET = "ol-dbt-artifacts"
PREFIX = "dbt/ol_dbt"


def write_artifacts(directory: Path, invocation: str, manifest_version: int = 1) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.json").write_text(
        json.dumps({"metadata": {"v": manifest_version}, "nodes": {}})
    )
    (directory / "catalog.json").write_text(json.dumps({"nodes": {}, "sources": {}}))
    (directory / "run_results.json").write_text(
        json.dumps({"metadata": {"invocation_id": invocation}, "results": []})
    )
    return directory


@pytest.fixture
def s3(moto_s3: str):
    """A client on the moto server that counts the objects it writes."""
    client = boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.puts = []  # type: ignore[attr-defined]
    client.meta.events.register(
        "before-parameter-build.s3.PutObject",
        lambda params, **_: client.puts.append(params["Key"]),  # type: ignore[attr-defined]
    )
    return client


@pytest.fixture
def target(moto_s3: str) -> ArtifactsTarget:
    return ArtifactsTarget(BUCKET, PREFIX, {"endpoint_url": moto_s3, "region_name": "us-east-1"})


def body(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_first_upload_sends_manifest_catalog_and_run_results(tmp_path, s3, target):
    local = write_artifacts(tmp_path / "latest", "inv-1")
    result = upload_artifacts(str(local), target, client=s3)
    expected = [
        f"{PREFIX}/manifest.json",
        f"{PREFIX}/catalog.json",
        f"{PREFIX}/runs/inv-1/run_results.json",
    ]
    assert result.uploaded == expected and result.skipped == [] and result.run_id == "inv-1"
    assert sorted(s3.puts) == sorted(expected)
    for key, name in zip(
        expected, ["manifest.json", "catalog.json", "run_results.json"], strict=True
    ):
        assert body(s3, key) == (local / name).read_bytes()


def test_unchanged_manifest_and_catalog_are_not_sent_again(tmp_path, s3, target):
    local = write_artifacts(tmp_path / "latest", "inv-1")
    upload_artifacts(str(local), target, client=s3)
    first = s3.head_object(Bucket=BUCKET, Key=f"{PREFIX}/manifest.json")["LastModified"]
    s3.puts.clear()

    write_artifacts(local, "inv-2")  # same manifest and catalog, a new build's run results
    result = upload_artifacts(str(local), target, client=s3)

    assert s3.puts == [f"{PREFIX}/runs/inv-2/run_results.json"]
    assert result.skipped == [f"{PREFIX}/manifest.json", f"{PREFIX}/catalog.json"]
    assert s3.head_object(Bucket=BUCKET, Key=f"{PREFIX}/manifest.json")["LastModified"] == first
    runs = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/runs/")["Contents"]
    assert sorted(o["Key"] for o in runs) == [
        f"{PREFIX}/runs/inv-1/run_results.json",
        f"{PREFIX}/runs/inv-2/run_results.json",
    ]


def test_a_changed_manifest_is_uploaded_again(tmp_path, s3, target):
    local = write_artifacts(tmp_path / "latest", "inv-1")
    upload_artifacts(str(local), target, client=s3)
    s3.puts.clear()

    write_artifacts(local, "inv-2", manifest_version=2)
    result = upload_artifacts(str(local), target, client=s3)

    assert sorted(s3.puts) == [f"{PREFIX}/manifest.json", f"{PREFIX}/runs/inv-2/run_results.json"]
    assert result.skipped == [f"{PREFIX}/catalog.json"]
    assert body(s3, f"{PREFIX}/manifest.json") == (local / "manifest.json").read_bytes()


def test_an_object_written_elsewhere_is_compared_by_its_etag(tmp_path, s3, target):
    """No md5 metadata (uploaded by another tool): the single-part ETag is the MD5."""
    local = write_artifacts(tmp_path / "latest", "inv-1")
    s3.put_object(
        Bucket=BUCKET, Key=f"{PREFIX}/manifest.json", Body=(local / "manifest.json").read_bytes()
    )
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/catalog.json", Body=b"{}")  # different
    s3.puts.clear()
    result = upload_artifacts(str(local), target, client=s3)
    assert result.skipped == [f"{PREFIX}/manifest.json"]
    assert f"{PREFIX}/catalog.json" in s3.puts


def test_without_a_manifest_the_upload_says_where_it_looked(tmp_path, s3, target):
    with pytest.raises(FileNotFoundError, match=r"latest: no manifest.json; the transform DAG"):
        upload_artifacts(str(tmp_path / "latest"), target, client=s3)
    assert s3.puts == []


def test_upload_task_publishes_what_the_transform_build_kept(tmp_path, s3, moto_s3, monkeypatch):
    """The DAG's task: artifacts kept by the dbt callback, bucket and endpoint from config."""
    from ol_platform.orchestration.catalog_dag import upload_dbt_artifacts
    from ol_platform.transform.artifacts import keep_artifacts

    project = tmp_path / "project"
    write_artifacts(project / "target", "inv-9")
    (project / "target" / "catalog.json").unlink()  # no `dbt docs generate` in this build
    ti = SimpleNamespace(dag_id="transform", run_id="manual__1", task_id="dbt_build")
    keep_artifacts(str(project), {"ti": ti})
    monkeypatch.setenv("OLP_DBT_ARTIFACTS_S3", f"s3://{BUCKET}/{PREFIX}")
    monkeypatch.setenv(
        "AIRFLOW_CONN_AWS_DEFAULT",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"endpoint_url": moto_s3, "region_name": "us-east-1"},
            }
        ),
    )
    result = upload_dbt_artifacts.function()
    assert result["status"] == "uploaded"
    assert result["uploaded"] == [
        f"{PREFIX}/manifest.json",
        f"{PREFIX}/runs/inv-9/run_results.json",
    ]
    assert result["absent"] == ["catalog.json"]
    assert sorted(s3.list_objects_v2(Bucket=BUCKET)["Contents"][i]["Key"] for i in range(2)) == [
        f"{PREFIX}/manifest.json",
        f"{PREFIX}/runs/inv-9/run_results.json",
    ]


def test_the_docs_step_adds_its_catalog_without_replacing_the_builds_manifest(
    tmp_path, monkeypatch
):
    """`dbt docs generate --no-compile` writes a manifest without compiled SQL: only its
    catalog.json may join the build's artifacts in latest/."""
    from ol_platform.transform.artifacts import keep_artifacts
    from ol_platform.transform.operators import DbtDocsOperator

    monkeypatch.setenv("OLP_DBT_ARTIFACTS_URL", str(tmp_path / "artifacts"))
    build, docs = tmp_path / "build", tmp_path / "docs"
    write_artifacts(build / "target", "inv-build")
    write_artifacts(docs / "target", "inv-docs", manifest_version=2)
    (docs / "target/catalog.json").write_text(json.dumps({"nodes": {"model.p.m": {}}}))
    run = {"dag_id": "transform", "run_id": "manual__1"}
    keep_artifacts(str(build), {"ti": SimpleNamespace(**run, task_id="dbt_build")})
    operator = DbtDocsOperator(task_id="dbt_docs").cosmos_operator()
    assert "--no-compile" in operator.dbt_cmd_flags
    operator.callback(str(docs), context={"ti": SimpleNamespace(**run, task_id="dbt_docs")})
    latest = tmp_path / "artifacts" / "transform" / "latest"
    assert (latest / "manifest.json").read_text() == (build / "target/manifest.json").read_text()
    assert (latest / "run_results.json").read_text() == (
        build / "target/run_results.json"
    ).read_text()
    assert (latest / "catalog.json").read_text() == (docs / "target/catalog.json").read_text()


def test_the_transform_writes_its_catalog_after_a_successful_build(settings):
    from ol_platform.orchestration.transform_dag import build_transform_dag

    for render, builder in (("models", "dbt_producer"), ("build", "dbt_build")):
        dag = build_transform_dag(settings, render=render)
        docs = dag.get_task("dbt_docs")
        assert [t.task_id for t in docs.upstream_list] == [builder]
        assert docs.outlets == [] and docs.trigger_rule == "all_success"


def test_upload_task_skips_locally_without_a_bucket(monkeypatch):
    from ol_platform.orchestration.catalog_dag import upload_dbt_artifacts

    monkeypatch.delenv("OLP_DBT_ARTIFACTS_S3", raising=False)
    assert upload_dbt_artifacts.function() == {"status": "skipped: OLP_DBT_ARTIFACTS_S3 is not set"}
    monkeypatch.setenv("OLP_ENV", "production")
    with pytest.raises(ValueError, match="OLP_DBT_ARTIFACTS_S3 must be set in production"):
        upload_dbt_artifacts.function()


# --- workflow configs -------------------------------------------------------------------------

TRINO = SimpleNamespace(
    conn_id="trino_default",
    conn_type="trino",
    host="trino.example.edu",
    port=443,
    login="om_reader",
    password="trino-s3cret",
    schema=None,
    extra=json.dumps({"catalog": "ol_data_lake_production"}),
)


def conns(**by_id):
    return lambda conn_id: by_id.get(conn_id)


def test_every_workflow_config_validates_with_openmetadatas_models():
    from metadata.generated.schema.metadataIngestion.workflow import OpenMetadataWorkflowConfig

    from ol_platform.catalog.workflows import build_configs, validate

    keys = {"aws_access_key_id": "AKIA", "aws_secret_access_key": "aws-s3cret"}
    target = ArtifactsTarget(BUCKET, PREFIX, {**keys, "region_name": "us-east-2"})
    configs, connected = build_configs("production", conns(trino_default=TRINO), target)
    metadata, dbt = configs["metadata"], configs["dbt"]
    assert connected is False

    model = validate(metadata)
    assert isinstance(model, OpenMetadataWorkflowConfig)
    trino = model.source.serviceConnection.root.config
    assert (trino.hostPort, trino.username, trino.catalog) == (
        "trino.example.edu:443",
        "om_reader",
        "ol_data_lake_production",
    )
    assert trino.authType.password.get_secret_value() == "trino-s3cret"
    assert model.sink.type == "metadata-rest"
    server = model.workflowConfig.openMetadataServerConfig
    assert server.authProvider.value == "openmetadata"
    patterns = model.source.sourceConfig.config.schemaFilterPattern.includes
    wanted = [
        f"ol_warehouse_production_{layer}"
        for layer in ("staging", "intermediate", "dimensional", "mart", "reporting", "raw")
    ]
    unwanted = ["ol_warehouse_qa_mart", "ol_warehouse_production_scratch", "information_schema"]
    assert all(any(re.match(p, s) for p in patterns) for s in wanted)
    assert not any(re.match(p, s) for p in patterns for s in unwanted)

    dbt_model = validate(dbt).source.sourceConfig.config
    source = dbt_model.dbtConfigSource
    assert source.dbtConfigType.value == "s3"
    assert (source.dbtPrefixConfig.dbtBucketName, source.dbtPrefixConfig.dbtObjectPrefix) == (
        BUCKET,
        PREFIX,
    )
    assert source.dbtSecurityConfig.awsRegion == "us-east-2"
    assert validate(dbt).source.serviceName == model.source.serviceName  # same database service

    pii = validate(configs["pii"])
    pii_config = pii.source.sourceConfig.config
    assert type(pii_config).__name__ == "DatabaseServiceAutoClassificationPipeline"
    assert pii_config.enableAutoClassification is True
    assert pii_config.storeSampleData is False, "sampled personal data must not be stored"
    assert pii_config.schemaFilterPattern.includes == patterns  # the same schemas as the harvest
    assert pii.source.serviceName == model.source.serviceName
    assert pii.processor.type == "orm-profiler"


def test_the_pii_workflow_runs_as_openmetadatas_auto_classification():
    from metadata.workflow.classification import AutoClassificationWorkflow

    from ol_platform.catalog import workflows

    configs, _ = workflows.build_configs("production", conns(trino_default=TRINO), None)
    seen = []

    class Recorder(AutoClassificationWorkflow):
        @classmethod
        def create(cls, config):
            seen.append(config)
            raise RuntimeError("recorded")

    import metadata.workflow.classification as classification

    original = classification.AutoClassificationWorkflow
    classification.AutoClassificationWorkflow = Recorder
    try:
        with pytest.raises(RuntimeError, match="recorded"):
            workflows.run_workflow(configs["pii"])
    finally:
        classification.AutoClassificationWorkflow = original
    assert seen == [configs["pii"]]


def test_a_config_without_host_port_fails_validation():
    from ol_platform.catalog.workflows import (
        WorkflowConfigError,
        build_configs,
        validate,
    )

    configs, _ = build_configs("local", conns(), None)
    metadata, dbt = configs["metadata"], configs["dbt"]
    del metadata["source"]["serviceConnection"]["config"]["hostPort"]
    with pytest.raises(WorkflowConfigError, match=r"serviceConnection.config: hostPort: Field req"):
        validate(metadata)
    del dbt["workflowConfig"]["openMetadataServerConfig"]["hostPort"]
    with pytest.raises(WorkflowConfigError, match=r"openMetadataServerConfig: hostPort: Field req"):
        validate(dbt)
    dbt["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = "http://om:8585/api"
    dbt["source"]["sourceConfig"]["config"]["dbtConfigSource"]["dbtConfigType"] = "ftp"
    with pytest.raises(WorkflowConfigError, match=r"sourceConfig.config"):
        validate(dbt)


def test_without_an_openmetadata_connection_the_tasks_report_skipped(monkeypatch):
    from ol_platform.orchestration.catalog_dag import (
        classify_pii,
        ingest_dbt_lineage,
        ingest_metadata,
    )

    monkeypatch.delenv("AIRFLOW_CONN_OPENMETADATA", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRINO_DEFAULT",
        json.dumps(
            {
                "conn_type": "trino",
                "host": "trino.local",
                "port": 8080,
                "login": "dbt",
                "password": "trino-s3cret",
            }
        ),
    )
    for run in (ingest_metadata, ingest_dbt_lineage, classify_pii):
        outcome = run.function()
        assert outcome["status"] == "skipped: no OpenMetadata connection"
        assert set(outcome["configs"]) == {"metadata", "dbt", "pii"}
        config = outcome["configs"]["metadata"]["source"]["serviceConnection"]["config"]
        assert config["hostPort"] == "trino.local:8080"
        assert config["authType"] == {"password": "***"}
        assert "trino-s3cret" not in json.dumps(outcome)
    assert ingest_metadata.function()["workflow"] == "metadata"


class RecordingOpenMetadata:
    """Just enough of an OpenMetadata server to see the workflow call it: refuses everyone."""

    def __init__(self) -> None:
        from ol_platform.simulators.http import BackgroundServer, JSONHandler

        self.calls: list[tuple[str, str | None]] = []
        calls, lock = self.calls, threading.Lock()

        class Handler(JSONHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                with lock:
                    calls.append((self.path_only, self.headers.get("Authorization")))
                self.send_json(401, {"code": 401, "message": "Not authorized"})

        self.server = BackgroundServer(Handler)


def test_with_a_connection_the_workflow_runs_against_the_server(monkeypatch, moto_s3):
    from ol_platform.orchestration.catalog_dag import ingest_metadata

    om = RecordingOpenMetadata()
    with om.server as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_OPENMETADATA",
            json.dumps({"conn_type": "http", "host": server.url, "password": "bot-jwt-token"}),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_TRINO_DEFAULT",
            json.dumps({"conn_type": "trino", "host": "127.0.0.1", "port": 9, "login": "om"}),
        )
        monkeypatch.setenv("OLP_DBT_ARTIFACTS_S3", f"s3://{BUCKET}/{PREFIX}")
        with pytest.raises(Exception, match="OpenMetadata"):
            ingest_metadata.function()
    assert ("/api/v1/system/version", "Bearer bot-jwt-token") in om.calls


# --- the DAG --------------------------------------------------------------------------------------


def test_catalog_dag_runs_after_the_transform_builds_the_models_it_catalogs(settings):
    from ol_platform.orchestration.catalog_dag import build_catalog_dag
    from ol_platform.orchestration.transform_dag import build_transform_dag
    from ol_platform.transform.project import load_graph

    dag = build_catalog_dag(settings)
    scheduled = {a.uri for a in dag.timetable.asset_condition.objects}
    models = load_graph().in_layers(("dimensional", "mart"))
    assert scheduled == {f"iceberg://ol-lake/ol_warehouse_local_{m.layer}/{m.name}" for m in models}
    assert "iceberg://ol-lake/ol_warehouse_local_dimensional/dim_course_run" in scheduled
    emitted = {
        a.uri for t in build_transform_dag(settings).tasks for a in t.outlets if hasattr(a, "uri")
    }
    assert scheduled <= emitted  # each trigger is an Asset the transform DAG really emits
    upload = dag.get_task("upload_dbt_artifacts")
    assert [t.task_id for t in upload.downstream_list] == ["ingest_metadata"]
    assert sorted(t.task_id for t in dag.get_task("ingest_metadata").downstream_list) == [
        "classify_pii",
        "ingest_dbt_lineage",
    ]


def test_parsing_the_dag_file_imports_no_openmetadata_code():
    import subprocess
    import sys

    from ol_platform.settings import REPO_ROOT

    script = (
        "import runpy, sys\n"
        f"runpy.run_path({str(REPO_ROOT / 'dags' / 'openmetadata.py')!r})\n"
        "loaded = [m for m in ('metadata', 'openmetadata_managed_apis') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
