"""Content-addressed writes to the landing bucket (S3 in production, a directory locally).

Archives are named by the sha256 of their bytes, so an object that exists is complete and
correct: a rerun that downloads the same bytes writes nothing. On S3 a PUT is atomic; on a
local directory the file is written beside its name and renamed, so a killed write never
leaves a truncated archive under its final name.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ol_platform.ingest.landing_bucket import BucketLocation

CHUNK = 1 << 20


@dataclass
class Download:
    """A file downloaded to local disk, with the sha256 and size of its bytes."""

    path: Path
    sha256: str
    size: int


@contextmanager
def spooled_download(chunks: Iterator[bytes], suffix: str) -> Iterator[Download]:
    """Write ``chunks`` to a temporary file, hashing as they arrive (bounded memory)."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryDirectory(prefix="olp-export-") as tmp:
        path = Path(tmp) / f"download{suffix}"
        with path.open("wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        yield Download(path, digest.hexdigest(), size)


class LandingArea:
    """Keys (``a/b/c``) of the landing bucket, read and written through fsspec."""

    def __init__(self, location: BucketLocation) -> None:
        import fsspec

        self.url = location.url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **location.storage_options)
        self.root = self.root.rstrip("/")
        # fsspec shares one filesystem per set of options; its listing cache could predate
        # writes made by another worker.
        self.fs.invalidate_cache()
        self.local = "file" in (
            self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        )

    def path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def uri(self, key: str) -> str:
        return f"{self.url}/{key}"

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self.path(key)))

    def put_file(self, local: Path, key: str) -> None:
        target = self.path(key)
        if not self.local:
            self.fs.put_file(str(local), target)
            return
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = f"{target}.partial"
        self.fs.put_file(str(local), partial)
        self.fs.mv(partial, target)

    def put_bytes(self, key: str, data: bytes) -> None:
        with tempfile.NamedTemporaryFile(prefix="olp-landing-") as tmp:
            tmp.write(data)
            tmp.flush()
            self.put_file(Path(tmp.name), key)

    def read_json(self, key: str) -> Any | None:
        if not self.exists(key):
            return None
        with self.fs.open(self.path(key), "rb") as f:
            return json.load(f)

    def write_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value, indent=1, sort_keys=True).encode())

    def open(self, key: str) -> IO[bytes]:
        return self.fs.open(self.path(key), "rb")
