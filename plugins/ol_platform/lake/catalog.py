"""Access to the Iceberg catalog.

Production configures the catalog the way pyiceberg intends, through its own environment
variables (``PYICEBERG_CATALOG__OLP__TYPE=rest``, ``..._URI``, ``..._WAREHOUSE``, credentials
from Kubernetes secrets) or ``.pyiceberg.yaml``. Without such configuration the catalog is the
embedded local default: a SQL catalog on SQLite with the warehouse in ``$OLP_HOME/lake``.

The local lake cannot be moved: the catalog records each table's metadata file by absolute
path, and every metadata file, manifest list and manifest records absolute paths of the next
(Iceberg has no relative locations). Rewriting them all is a deep copy of the lake, so a
moved or copied state folder is detected and refused (:class:`LakeMovedError`) instead of
reading another folder's files or failing somewhere deep in pyiceberg.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.utils.config import Config

from ol_platform.settings import Settings, get_settings

CATALOG_NAME = "olp"
# SQLite waits this long for a concurrent committer instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 60
# Property names (pyiceberg's "credential", "token", "s3.secret-access-key", ...) whose value
# is a secret.
SECRET_PROPERTY_WORDS = ("secret", "token", "credential", "password")


def local_catalog_properties(settings: Settings) -> dict[str, str]:
    return {
        "type": "sql",
        "uri": f"sqlite:///{settings.lake_dir / 'catalog.db'}?timeout={SQLITE_BUSY_TIMEOUT_S}",
        "warehouse": f"file://{settings.lake_dir / 'warehouse'}",
    }


class LakeMovedError(RuntimeError):
    """The local lake's catalog records files under another folder than ``$OLP_HOME``."""


def _recorded_location(catalog_db: Path) -> str | None:
    """One table's metadata location as the catalog recorded it, if it has any table."""
    if not catalog_db.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{catalog_db}?mode=ro", uri=True)) as db:
        try:
            row = db.execute(
                "SELECT metadata_location FROM iceberg_tables "
                "WHERE metadata_location IS NOT NULL LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:  # no table yet: a catalog that never stored one
            return None
    return row[0] if row else None


def check_lake_location(settings: Settings) -> None:
    """Refuse a local lake that was created in another folder (see the module docstring)."""
    warehouse = settings.lake_dir / "warehouse"
    recorded = _recorded_location(settings.lake_dir / "catalog.db")
    if recorded is None or recorded.startswith(f"file://{warehouse}/"):
        return
    where = recorded.removeprefix("file://").split("/lake/warehouse/")[0]
    raise LakeMovedError(
        f"the local lake in {settings.lake_dir} was created in {where} and records absolute "
        f"paths there, so it cannot be used from {settings.home}. Move it back (or point "
        f"OLP_HOME at {where}), or start afresh here: `make clean` (removes {settings.home} "
        "when it is the checkout's .olp/) or delete the folder, then `make demo` or `olp seed`"
    )


def catalog_properties(settings: Settings | None = None) -> dict[str, str]:
    """The catalog's properties: pyiceberg's own configuration if any, else the local default.

    Configured properties can hold secrets (a REST ``credential`` or ``token``, S3 keys, a SQL
    catalog URI with a password); they are registered with the masker before anything can
    log them (dbt's environment is built from them)."""
    configured = Config().get_catalog_config(CATALOG_NAME)
    if configured:
        _mask_secrets(configured)
        return dict(configured)
    return local_catalog_properties(settings or get_settings())


def _mask_secrets(properties: dict[str, Any]) -> None:
    from ol_platform.ingest.connections import mask_secret, mask_url

    for key, value in properties.items():
        if not isinstance(value, str):
            continue
        if any(word in key.lower() for word in SECRET_PROPERTY_WORDS):
            mask_secret(value)
        if "://" in value:
            mask_url(value)


def catalog_env(settings: Settings | None = None) -> dict[str, str]:
    """The catalog as pyiceberg environment variables, for processes such as dbt's."""
    return {
        f"PYICEBERG_CATALOG__{CATALOG_NAME.upper()}__{key.upper()}": value
        for key, value in catalog_properties(settings).items()
    }


def get_catalog(settings: Settings | None = None) -> Catalog:
    settings = settings or get_settings()
    properties = catalog_properties(settings)
    if properties == local_catalog_properties(settings):
        check_lake_location(settings)
    if properties.get("uri", "").startswith("sqlite:///"):
        settings.lake_dir.joinpath("warehouse").mkdir(parents=True, exist_ok=True)
    return load_catalog(CATALOG_NAME, **properties)


def ensure_namespace(catalog: Catalog, name: str) -> None:
    """Create ``name`` unless it exists; safe when parallel loads race to create it."""
    try:
        catalog.create_namespace_if_not_exists(name)
    except Exception:
        # The check and the insert are not atomic: another process may have won the race
        # (the SQL catalog then raises a bare IntegrityError). Only a real failure propagates.
        if not catalog.namespace_exists(name):
            raise
