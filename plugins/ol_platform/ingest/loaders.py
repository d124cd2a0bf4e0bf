"""The loaders that feed a source's raw tables without Airbyte, by name.

Each registry entry's ``local.loader`` names one of :data:`LOADERS` (course exports: one of
:data:`COURSE_EXPORTERS`); the registry refuses any other name when it is validated. This
module is imported at DAG parse time for those names, so every heavy import waits for the
loader that needs it.

Two kinds of loader write sample data, and :func:`run_local_loader` refuses them outside
the sample environments (``local``, ``ci``): the stand-in that replaces an Airbyte sync, and
the loaders in :data:`SAMPLE_ONLY_LOADERS`, whose input is generated on this machine. The
dlt and API loaders of non-Airbyte sources read their real systems in production.

The loaders of :data:`WINDOWED` also take a backfill window (``window=``); only they can be
backfilled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ol_platform.ingest.window import SnapshotBackfillError, Window
from ol_platform.settings import Settings, require_sample_environment
from ol_platform.sources.models import Source, Transport

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from ol_platform.ingest.connections import ConnectionLike
    from ol_platform.lake.writer import CommitResult

ConnectionResolver = Callable[[str], "ConnectionLike"]

# Course exports run in their own DAGs (``ol_platform.orchestration.export_dags``).
COURSE_EXPORTERS = ("openedx_export", "canvas_export")
# Loaders whose input exists only on this machine (fixtures, generated files).
SAMPLE_ONLY_LOADERS = frozenset({"fixture_records", "tracking_logs"})


class LoaderNotImplementedError(NotImplementedError):
    pass


def _require_conn(source: Source) -> str:
    if not source.local.conn_id:
        raise ValueError(f"source '{source.name}': field 'local.conn_id' is required by its loader")
    return source.local.conn_id


def _app_database(source, catalog, settings, resolve):
    from ol_platform.ingest.app_database import load_app_database
    from ol_platform.ingest.connections import sqlalchemy_url

    url = sqlalchemy_url(resolve(_require_conn(source)))
    return load_app_database(source, url=url, catalog=catalog, settings=settings)


def _mit_climate(source, catalog, settings, resolve):
    from ol_platform.ingest.connections import http_base_url
    from ol_platform.ingest.mit_climate import load_mit_climate

    base_url = http_base_url(resolve(_require_conn(source)))
    return load_mit_climate(source, base_url=base_url, catalog=catalog, settings=settings)


def _fixture_records(source, catalog, settings, resolve):
    from ol_platform.ingest.fixture_records import load_fixture_records

    return load_fixture_records(source, catalog=catalog, settings=settings)


def _odl_video(source, catalog, settings, resolve, window=None):
    from ol_platform.ingest.odl_video import load_odl_video_from_connection

    conn = resolve(_require_conn(source))
    return load_odl_video_from_connection(
        source, conn, catalog=catalog, settings=settings, window=window
    )


def _sloan_exec_ed(source, catalog, settings, resolve):
    from ol_platform.ingest.sloan import load_sloan_exec_ed_from_connection

    conn = resolve(_require_conn(source))
    return load_sloan_exec_ed_from_connection(source, conn, catalog=catalog, settings=settings)


def _edxorg_archives(source, catalog, settings, resolve, window=None):
    from ol_platform.ingest.edxorg_archives import load_edxorg_archives
    from ol_platform.ingest.landing_bucket import landing_bucket

    bucket = landing_bucket(resolve(_require_conn(source)))
    return load_edxorg_archives(
        source,
        bucket_url=bucket.url,
        storage_options=bucket.storage_options,
        catalog=catalog,
        settings=settings,
        window=window,
    )


def _tracking_logs(source, catalog, settings, resolve, window=None):
    from ol_platform.ingest.tracking_logs import load_tracking_logs, local_logs_dir

    return load_tracking_logs(
        source,
        logs_dir=local_logs_dir(source, settings),
        catalog=catalog,
        settings=settings,
        window=window,
    )


def _feed(name: str):
    def run(source, catalog, settings, resolve):
        from ol_platform.ingest import feeds
        from ol_platform.ingest.connections import http_base_url

        base_url = http_base_url(resolve(_require_conn(source)))
        return getattr(feeds, f"load_{name}")(
            source, base_url=base_url, catalog=catalog, settings=settings
        )

    return run


LOADERS: dict[str, Callable[..., list[CommitResult]]] = {
    "app_database": _app_database,
    "mit_climate": _mit_climate,
    "fixture_records": _fixture_records,
    "mitpe": _feed("mitpe"),
    "oll": _feed("oll"),
    "podcasts": _feed("podcasts"),
    "tracking_logs": _tracking_logs,
    "odl_video": _odl_video,
    "sloan_exec_ed": _sloan_exec_ed,
    "edxorg_archives": _edxorg_archives,
}
# Loaders that honour a backfill window.
WINDOWED = frozenset({"tracking_logs", "odl_video", "edxorg_archives"})


def writes_sample_data(source: Source) -> bool:
    """Whether the source's loader lands sample data rather than its real system's."""
    return source.transport is Transport.AIRBYTE or source.local.loader in SAMPLE_ONLY_LOADERS


def run_local_loader(
    source: Source,
    *,
    catalog: Catalog,
    settings: Settings,
    resolve: ConnectionResolver,
    window: Window | None = None,
) -> list[CommitResult]:
    if writes_sample_data(source):
        require_sample_environment(settings, f"source '{source.name}': the sample loader")
    loader = LOADERS.get(source.local.loader)
    if loader is None:
        raise LoaderNotImplementedError(
            f"source '{source.name}': the local loader '{source.local.loader}' is not yet "
            f"implemented, so its raw tables cannot be fed from a sample system in "
            f"'{settings.env}'. Its production path ({source.transport.value}) is unaffected."
        )
    if window is None:
        return loader(source, catalog, settings, resolve)
    if source.local.loader not in WINDOWED:
        raise SnapshotBackfillError(
            f"source '{source.name}': its loader '{source.local.loader}' cannot select a "
            f"window, so the backfill window {window} cannot be honoured"
        )
    return loader(source, catalog, settings, resolve, window=window)
