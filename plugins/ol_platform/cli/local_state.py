"""Checks of the local state folder (``$OLP_HOME``) that commands run before doing anything,
so a missing or moved lake ends in one sentence saying what to do instead of a traceback."""

from __future__ import annotations

from ol_platform.lake.catalog import (
    CATALOG_NAME,
    LakeMovedError,
    get_catalog,
)
from ol_platform.lake.naming import namespace
from ol_platform.settings import Settings


class UserError(RuntimeError):
    """A failure the user can fix: ``olp`` prints it without a traceback and exits 1."""


def uses_local_lake() -> bool:
    from pyiceberg.utils.config import Config

    return not Config().get_catalog_config(CATALOG_NAME)


def raw_tables(settings: Settings) -> list[str]:
    """The raw tables in the local lake; [] when there is no lake yet."""
    from pyiceberg.exceptions import NoSuchNamespaceError

    if not (settings.lake_dir / "catalog.db").exists():
        return []
    try:
        catalog = get_catalog(settings)
    except LakeMovedError as exc:
        raise UserError(str(exc)) from exc
    try:
        return [name for _, name in catalog.list_tables(namespace(settings.env))]
    except NoSuchNamespaceError:
        return []


def require_raw_tables(settings: Settings) -> list[str]:
    """The local lake's raw tables, or a :class:`UserError` saying how to land them."""
    if not uses_local_lake():
        return []  # a configured catalog (production): nothing local to check
    tables = raw_tables(settings)
    if not tables:
        raise UserError(
            f"the local lake ({settings.lake_dir}) has no raw tables yet: run `olp seed` "
            "first (the sample data of every source, no Airflow) or `make demo`"
        )
    return tables
