"""Where the landing bucket is, from an Airflow connection: a URL and fsspec storage options.

Production points an ``aws`` connection at the S3 landing bucket (extra ``bucket``, optional
``endpoint_url`` and ``region_name``; login and password are the access key pair, or empty to
use the worker's own AWS identity). Local runs and tests point an ``fs`` connection (extra
``path``, or the host) or a ``file://`` host at a directory standing in for the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ol_platform.ingest.connections import ConnectionLike, aws_key_pair, connection_extra


@dataclass(frozen=True)
class BucketLocation:
    url: str
    # Holds the secret key: kept out of repr so logging the location cannot leak it.
    storage_options: dict[str, Any] = field(default_factory=dict, repr=False)


def _local(conn: ConnectionLike, extra: dict[str, Any]) -> BucketLocation:
    path = extra.get("path") or conn.host or ""
    path = path.removeprefix("file://")
    if not path:
        raise ValueError(
            f"connection '{conn.conn_id}': a local landing bucket needs a directory "
            "(extra 'path', or the host)"
        )
    return BucketLocation(Path(path).resolve().as_uri())


def landing_bucket(conn: ConnectionLike) -> BucketLocation:
    extra = connection_extra(conn)
    if conn.conn_type == "fs" or (conn.host or "").startswith("file://"):
        return _local(conn, extra)
    if conn.conn_type != "aws":
        raise ValueError(
            f"connection '{conn.conn_id}': type '{conn.conn_type}' cannot hold a landing bucket "
            "(use 'aws' with extra 'bucket', or 'fs' with extra 'path')"
        )
    bucket = str(extra.get("bucket") or conn.schema or "").removeprefix("s3://").strip("/")
    if not bucket:
        raise ValueError(f"connection '{conn.conn_id}': an aws landing bucket needs extra 'bucket'")
    options: dict[str, Any] = {}
    if keys := aws_key_pair(conn):
        options |= {"key": keys[0], "secret": keys[1]}
    if extra.get("endpoint_url"):
        options["endpoint_url"] = extra["endpoint_url"]
    if extra.get("region_name"):
        options["client_kwargs"] = {"region_name": extra["region_name"]}
    return BucketLocation(f"s3://{bucket}", options)
