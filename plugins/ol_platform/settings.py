"""Where the platform keeps its state and which environment profile it runs in.

Everything is read from the environment so that DAG parsing stays free of I/O:
``OLP_ENV`` picks the profile (``local`` by default, needing no server) and ``OLP_HOME``
the state folder (``.olp/`` in the checkout by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("local", "ci", "qa", "production")
# Environments whose ingest runs the local sample systems instead of Airbyte.
SAMPLE_ENVIRONMENTS = ("local", "ci")

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    env: str
    home: Path

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def samples_dir(self) -> Path:
        return self.home / "samples"

    @property
    def staging_dir(self) -> Path:
        """Where dlt lands normalised load packages before they are committed to Iceberg."""
        return self.home / "staging"

    @property
    def uses_samples(self) -> bool:
        return self.env in SAMPLE_ENVIRONMENTS

    @property
    def is_production(self) -> bool:
        return self.env == "production"


class SettingsError(ValueError):
    """The environment does not describe a usable profile; the message says what to set."""


class SampleDataRefused(RuntimeError):
    """Sample or simulator data was about to be written outside a sample environment."""


def require_sample_environment(settings: Settings, what: str) -> None:
    """Refuse, loudly, to write sample data anywhere but ``local`` and ``ci``.

    Called where sample data is written (the sample loaders, the sample systems behind
    ``olp seed`` and ``olp demo``), so no entry point can skip it.
    """
    if not settings.uses_samples:
        raise SampleDataRefused(
            f"refused: {what} writes sample data, and OLP_ENV={settings.env} is not a sample "
            f"environment ({' or '.join(SAMPLE_ENVIRONMENTS)}); nothing was written. "
            "Unset OLP_ENV or set OLP_ENV=local to work with sample data."
        )


def get_settings() -> Settings:
    env = os.environ.get("OLP_ENV", "local")
    if env not in ENVIRONMENTS:
        shown = env if len(env) <= 40 and env.isprintable() else repr(env[:40]) + "..."
        raise SettingsError(
            f"OLP_ENV={shown} is not an environment: set it to one of {', '.join(ENVIRONMENTS)}"
        )
    home = Path(os.environ.get("OLP_HOME") or REPO_ROOT / ".olp").resolve()
    return Settings(env=env, home=home)
