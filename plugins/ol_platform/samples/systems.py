"""The local stand-ins for every source system, generated and served on this machine.

:func:`sample_systems` writes the sample databases, files and landing bucket, starts the API
simulators over real HTTP, and yields the Airflow connections that point the local loaders at
them. The demo hands these connections to its embedded Airflow; :func:`seed_lake` runs every
loader directly (no Airflow), which is how the dbt tests and development get a full raw lake.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from ol_platform.exports.openedx import DEPLOYMENTS
from ol_platform.ingest.loaders import LOADERS, run_local_loader
from ol_platform.ingest.tracking_logs import local_logs_dir
from ol_platform.lake.catalog import get_catalog
from ol_platform.lake.writer import CommitResult
from ol_platform.samples import edxorg_archives, tracking_logs
from ol_platform.samples.app_databases import SAMPLES
from ol_platform.samples.tracking_logs import write_tracking_logs
from ol_platform.settings import Settings, require_sample_environment
from ol_platform.simulators import (
    canvas,
    feeds,
    mit_climate,
    mit_learn,
    odl_video,
    sloan,
    studio,
)
from ol_platform.simulators.http import BackgroundServer
from ol_platform.sources.models import Source
from ol_platform.sources.registry import Registry, load_registry

log = logging.getLogger(__name__)


def runnable_sources(registry: Registry) -> list[str]:
    """Sources whose local loader exists: the demo runs these; the rest fail as not implemented."""
    return [name for name, source in registry.sources.items() if source.local.loader in LOADERS]


def prepare_samples(
    settings: Settings, registry: Registry, failures: dict[str, str] | None = None
) -> dict[str, dict]:
    """Write the sample databases and files of the runnable sources; returns connections.

    A source whose sample cannot be built is recorded in ``failures`` (source -> message) and
    skipped, so one broken sample costs only its source; without ``failures`` it raises.
    """
    require_sample_environment(settings, "building the sample systems")
    settings.samples_dir.mkdir(parents=True, exist_ok=True)
    connections: dict[str, dict] = {}
    for name in runnable_sources(registry):
        try:
            connections.update(_prepare_sample(settings, registry[name]))
        except Exception as exc:
            if failures is None:
                raise
            failures[name] = f"source '{name}': sample data: {exc}"
    return connections


def _prepare_sample(settings: Settings, source: Source) -> dict[str, dict]:
    local = source.local
    if local.loader == "tracking_logs":
        batch = write_tracking_logs(local_logs_dir(source, settings))
        log.info("sample tracking logs: %s valid lines", batch.valid_lines)
    elif local.loader == "edxorg_archives" and local.sample and local.conn_id:
        directory = settings.samples_dir / local.sample  # the landing bucket, on disk
        counts = edxorg_archives.build_local(directory)
        log.info("sample landing bucket %s: %s", directory, counts)
        return {local.conn_id: {"conn_type": "fs", "extra": {"path": str(directory)}}}
    elif local.loader == "app_database" and local.conn_id:
        if local.sample not in SAMPLES:
            raise ValueError(
                f"field 'local.sample': no sample database named {local.sample!r} "
                f"(known: {', '.join(sorted(SAMPLES))})"
            )
        db = settings.samples_dir / f"{local.sample}.sqlite"
        engine = sa.create_engine(f"sqlite:///{db}")
        try:
            counts = SAMPLES[local.sample].build(engine)
        finally:
            engine.dispose()
        log.info("sample database %s: %s", db.name, counts)
        return {local.conn_id: {"conn_type": "sqlite", "host": str(db)}}
    return {}


@contextmanager
def sample_systems(
    settings: Settings, registry: Registry, failures: dict[str, str] | None = None
) -> Iterator[dict[str, dict]]:
    """Sample systems up (databases, files, API simulators); yields Airflow connections.

    Refuses outside ``local``/``ci`` before anything is written. ``failures``: see
    :func:`prepare_samples`.
    """
    connections = prepare_samples(settings, registry, failures)
    # Local-only credentials: the simulators check them exactly as the real APIs would.
    odl_api = odl_video.ODLVideoAPI(token="demo-odl-token")
    sloan_api = sloan.SloanAPI(client_id="demo-sloan-client", client_secret="demo-sloan-secret")
    with ExitStack() as stack:
        climate = stack.enter_context(BackgroundServer(mit_climate.make_handler()))
        feed_server = stack.enter_context(BackgroundServer(feeds.make_handler()))
        odl_server = stack.enter_context(BackgroundServer(odl_api.handler()))
        sloan_server = stack.enter_context(BackgroundServer(sloan_api.handler()))
        connections["mit_climate_api"] = {"conn_type": "http", "host": climate.url}
        for conn_id in ("mitpe_api", "oll_sheet", "podcast_feeds"):
            connections[conn_id] = {"conn_type": "http", "host": feed_server.url}
        connections["odl_video_api"] = {
            "conn_type": "http",
            "host": odl_server.url,
            "password": odl_api.token,
        }
        connections["sloan_exec_ed_api"] = {
            "conn_type": "http",
            "host": sloan_server.url,
            "login": sloan_api.client_id,
            "password": sloan_api.client_secret,
        }
        _start_content_systems(stack, settings, connections)
        yield connections


# Course exports poll every 20 s in production; the simulators finish in a few polls.
DEMO_POLL = {"poll_interval_seconds": 0.5, "poll_timeout_minutes": 5}
DEMO_WEBHOOK_SECRET = "demo-mit-learn-webhook-secret"


def studio_courses(deployment: str) -> dict[str, studio.Course]:
    """The courses a deployment's sample Studio exports: sample runs, with the videos and
    problems of the sample tracking logs, so course structure and events share their blocks."""
    return {
        run: studio.Course(
            run,
            run.split("+")[1],
            videos=tuple(tracking_logs.video_ids(run)),
            problems=tuple(tracking_logs.problem_ids(run)),
        )
        for run in tracking_logs.exported_runs(deployment)
    }


def _start_content_systems(stack: ExitStack, settings: Settings, connections: dict) -> None:
    """Studio per Open edX deployment, Canvas, and the MIT Learn webhook receiver."""
    for deployment in DEPLOYMENTS:
        studio_api = studio.StudioAPI(
            token=f"demo-studio-{deployment}",
            deployment=deployment,
            courses=studio_courses(deployment),
        )
        server = stack.enter_context(BackgroundServer(studio_api.handler()))
        connections[f"openedx_studio_{deployment}"] = {
            "conn_type": "http",
            "host": server.url,
            "password": studio_api.token,
            "extra": DEMO_POLL,
        }
    canvas_api = canvas.CanvasAPI(token="demo-canvas-token")
    server = stack.enter_context(BackgroundServer(canvas_api.handler()))
    connections["canvas_api"] = {
        "conn_type": "http",
        "host": server.url,
        "password": canvas_api.token,
        "extra": DEMO_POLL | {"account_id": canvas_api.account_id},
    }
    receiver = mit_learn.MITLearnReceiver(secret=DEMO_WEBHOOK_SECRET)
    server = stack.enter_context(BackgroundServer(receiver.handler()))
    stack.callback(receiver.close)
    connections["mit_learn_webhook"] = {
        "conn_type": "http",
        "host": server.url,
        "password": receiver.secret,
        "extra": {"backoff_base": 0.5},
    }
    # Exports land beside the edX.org archives: one landing bucket, as in production.
    connections.setdefault(
        "landing_bucket",
        {"conn_type": "fs", "extra": {"path": str(settings.samples_dir / "landing")}},
    )


@dataclass
class SeedResult:
    """What seeding one source did: its tables' commits, or why it failed."""

    source: str
    seconds: float
    results: list[CommitResult] = field(default_factory=list)
    error: str | None = None

    @property
    def rows(self) -> int:
        return sum(r.total_rows for r in self.results)


def seed_lake(settings: Settings, registry: Registry | None = None) -> list[SeedResult]:
    """Land every runnable source's raw tables from its sample system, without Airflow.

    Refuses outside ``local``/``ci`` before anything is written. A source that fails (its
    sample missing or broken, its loader failing) is reported in its :class:`SeedResult`
    and the others are still seeded.
    """
    require_sample_environment(settings, "olp seed")
    from airflow.sdk import Connection

    registry = registry or load_registry()
    catalog = get_catalog(settings)
    failures: dict[str, str] = {}
    seeded: list[SeedResult | None] = []
    with sample_systems(settings, registry, failures) as connections:

        def resolve(conn_id: str) -> Connection:
            fields = dict(connections[conn_id])
            extra = fields.pop("extra", None)
            return Connection(conn_id=conn_id, extra=json.dumps(extra) if extra else None, **fields)

        for name in runnable_sources(registry):
            started = time.monotonic()
            if name in failures:
                seeded.append(SeedResult(name, 0.0, error=failures[name]))
                continue
            try:
                results = run_local_loader(
                    registry[name], catalog=catalog, settings=settings, resolve=resolve
                )
            except Exception as exc:  # one source's failure must not stop the others
                log.debug("seeding %s failed", name, exc_info=True)
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if f"source '{name}'" not in message:
                    message = f"source '{name}': {type(exc).__name__}: {message}"
                seeded.append(SeedResult(name, time.monotonic() - started, error=message[:500]))
                continue
            seeded.append(SeedResult(name, time.monotonic() - started, results))
    seeded += [_seed_course_structure(catalog, settings, s) for s in registry.export_sources()]
    return [s for s in seeded if s is not None]


def _seed_course_structure(catalog, settings: Settings, source: Source) -> SeedResult | None:
    """An Open edX export source's course-structure table, as its DAG lands it from the
    sample Studio's exports (read here straight from the archives, without HTTP)."""
    if not source.tables or source.system not in DEPLOYMENTS:
        return None
    from datetime import UTC, datetime

    import pyarrow as pa

    from ol_platform.exports.course_blocks import SCHEMA, course_blocks
    from ol_platform.lake.naming import namespace
    from ol_platform.lake.writer import WriteDisposition, commit

    started = time.monotonic()
    (table,) = source.tables
    try:
        rows = []
        for course_id, course in studio_courses(source.system).items():
            data = studio.course_archive(course)
            rows += course_blocks(
                io.BytesIO(data),
                course_id=course_id,
                course_content_hash=hashlib.sha256(data).hexdigest(),
                retrieved_at=datetime.now(UTC),
            )
        result = commit(
            catalog,
            f"{namespace(settings.env)}.{source.raw_table_name(table)}",
            pa.Table.from_pylist(rows, schema=SCHEMA),
            disposition=WriteDisposition.MERGE,
            primary_key=table.primary_key,
        )
    except Exception as exc:  # one source's failure must not stop the others
        message = f"source '{source.name}': {type(exc).__name__}: {exc}"
        return SeedResult(source.name, time.monotonic() - started, error=message[:500])
    return SeedResult(source.name, time.monotonic() - started, [result])
