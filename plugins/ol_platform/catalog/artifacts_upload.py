"""Publish the transform DAG's dbt artifacts to the S3 prefix OpenMetadata's dbt workflow reads.

Layout under ``s3://<bucket>/<prefix>/`` (what OpenMetadata's dbt workflow reads)::

    manifest.json                    uploaded only when its MD5 differs from the object's
    catalog.json                     same (only present when ``dbt docs generate`` ran)
    runs/<run id>/run_results.json   every build, keyed by dbt's invocation id

Where: ``OLP_DBT_ARTIFACTS_S3=s3://bucket/prefix``. How to reach it: the Airflow connection
``aws_default`` (``OLP_DBT_ARTIFACTS_CONN_ID`` overrides the id), amazon-provider style: login
and password are the access key pair (or empty for the worker's own AWS identity), extra
``endpoint_url`` (MinIO, moto) and ``region_name``. Without the connection boto3's default
credential chain is used.

"Changed" compares the local MD5 with the object's ``md5`` metadata (which we set on upload)
or else its ETag; a missing object counts as changed. The metadata matters because an ETag is
not an MD5 for multipart or SSE-KMS objects, and would make every run re-upload.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ol_platform.ingest.connections import (
    ConnectionLike,
    aws_key_pair,
    connection_extra,
)

log = logging.getLogger(__name__)

ARTIFACTS_URL_ENV = "OLP_DBT_ARTIFACTS_S3"
ARTIFACTS_CONN_ENV = "OLP_DBT_ARTIFACTS_CONN_ID"
DEFAULT_CONN_ID = "aws_default"
# Uploaded only when changed; run_results.json goes to runs/<run id>/ every time.
VERSIONED = ("manifest.json", "catalog.json")
RUN_RESULTS = "run_results.json"


@dataclass(frozen=True)
class ArtifactsTarget:
    bucket: str
    prefix: str
    # endpoint, region and the key pair: kept out of repr so logging the target cannot leak.
    client_kwargs: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    @property
    def region(self) -> str:
        return self.client_kwargs.get("region_name") or os.environ.get(
            "AWS_DEFAULT_REGION", "us-east-1"
        )


@dataclass
class UploadResult:
    target: str
    run_id: str | None = None
    uploaded: list[str] = field(default_factory=list)  # object keys written
    skipped: list[str] = field(default_factory=list)  # unchanged object keys
    absent: list[str] = field(default_factory=list)  # artifacts the dbt run did not produce

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "run_id": self.run_id,
            "uploaded": self.uploaded,
            "skipped": self.skipped,
            "absent": self.absent,
        }


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
        raise ValueError(f"{ARTIFACTS_URL_ENV}={url!r}: expected s3://<bucket>[/<prefix>]")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


def client_kwargs(conn: ConnectionLike | None) -> dict[str, Any]:
    """boto3 client arguments from an ``aws``-style connection (None: the default chain)."""
    if conn is None:
        return {}
    extra = connection_extra(conn)
    kwargs: dict[str, Any] = {}
    if keys := aws_key_pair(conn):
        kwargs |= {"aws_access_key_id": keys[0], "aws_secret_access_key": keys[1]}
    for name in ("endpoint_url", "region_name"):
        if extra.get(name):
            kwargs[name] = extra[name]
    return kwargs


def artifacts_target(url: str | None = None, conn: ConnectionLike | None = None) -> ArtifactsTarget:
    url = url or os.environ.get(ARTIFACTS_URL_ENV)
    if not url:
        raise ValueError(f"{ARTIFACTS_URL_ENV} is not set: where should the dbt artifacts go?")
    bucket, prefix = parse_s3_url(url)
    return ArtifactsTarget(bucket, prefix, client_kwargs(conn))


def s3_client(target: ArtifactsTarget):
    import boto3

    return boto3.client("s3", **target.client_kwargs)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def remote_md5(client, bucket: str, key: str) -> str | None:
    """The object's MD5 (our metadata, else a single-part ETag), or None when it is missing."""
    from botocore.exceptions import ClientError

    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return (head.get("Metadata") or {}).get("md5") or head.get("ETag", "").strip('"')


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]", "_", part)


def _run_id(run_results: bytes, fallback: str | None) -> str | None:
    """dbt's ``invocation_id``: one per build, so re-uploading a build overwrites, never adds."""
    import json

    try:
        return json.loads(run_results)["metadata"]["invocation_id"]
    except (ValueError, KeyError, TypeError):
        return fallback


def read_local_artifacts(local_dir: str) -> dict[str, bytes]:
    """The artifacts present in ``local_dir`` (a path or any fsspec URL)."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(local_dir)
    found = {}
    for name in (*VERSIONED, RUN_RESULTS):
        if fs.isfile(f"{path}/{name}"):
            found[name] = fs.cat_file(f"{path}/{name}")
    return found


def upload_artifacts(
    local_dir: str, target: ArtifactsTarget, client=None, run_id: str | None = None
) -> UploadResult:
    """Upload the artifacts of ``local_dir`` to ``target``; see the module docstring."""
    files = read_local_artifacts(local_dir)
    if "manifest.json" not in files:
        raise FileNotFoundError(
            f"{local_dir}: no manifest.json; the transform DAG's dbt build keeps its artifacts "
            "there (ol_platform.transform.artifacts) - has it run in this environment?"
        )
    client = client or s3_client(target)
    result = UploadResult(target=target.url)
    for name in VERSIONED:
        if name not in files:
            result.absent.append(name)
            continue
        key, md5 = target.key(name), _md5(files[name])
        if remote_md5(client, target.bucket, key) == md5:
            result.skipped.append(key)
            continue
        _put(client, target.bucket, key, files[name], md5)
        result.uploaded.append(key)
    if RUN_RESULTS in files:
        result.run_id = _run_id(files[RUN_RESULTS], run_id)
        if result.run_id is None:
            raise ValueError(f"{local_dir}/{RUN_RESULTS}: no invocation id and no run id given")
        key = target.key("runs", _safe(result.run_id), RUN_RESULTS)
        _put(client, target.bucket, key, files[RUN_RESULTS], _md5(files[RUN_RESULTS]))
        result.uploaded.append(key)
    else:
        result.absent.append(RUN_RESULTS)
    log.info(
        "dbt artifacts -> %s: uploaded %d %s, unchanged %d %s, absent %s",
        target.url,
        len(result.uploaded),
        result.uploaded,
        len(result.skipped),
        result.skipped,
        result.absent or "none",
    )
    return result


def _put(client, bucket: str, key: str, data: bytes, md5: str) -> None:
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType="application/json",
        Metadata={"md5": md5},
    )
