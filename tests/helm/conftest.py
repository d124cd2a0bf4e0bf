"""The helm binary for the chart tests, installed once per session by tools/install_helm.py.

Locally a failed install skips the chart tests with the reason; in CI (``CI=true`` or
``OLP_REQUIRE_SERVICES=1``) it fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helm.render import MATRIX, REPO_ROOT, render

INSTALLER = REPO_ROOT / "tools" / "install_helm.py"


def _required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("OLP_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def helm() -> Path:
    result = subprocess.run(
        [sys.executable, str(INSTALLER)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        message = f"helm could not be installed by {INSTALLER.name}: {result.stderr.strip()}"
        if _required():
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    path = Path(result.stdout.strip().splitlines()[-1])
    os.environ["OLP_HELM"] = str(path)
    return path


@pytest.fixture(scope="session")
def rendered(helm: Path) -> dict[str, list[dict[str, Any]]]:
    """Every configuration of MATRIX rendered once per session."""
    return {name: render(files, values, helm) for name, (files, values) in MATRIX.items()}


@pytest.fixture(params=sorted(MATRIX))
def case(request: pytest.FixtureRequest, rendered: dict) -> tuple[str, list[dict[str, Any]]]:
    return request.param, rendered[request.param]
