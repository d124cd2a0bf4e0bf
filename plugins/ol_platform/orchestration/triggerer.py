"""``airflow triggerer`` that passes new triggers and their events on within half a second,
not after up to a second each way.

Airflow 3.3's triggerer runs its triggers in a runner subprocess that syncs with its supervisor
once per second: new triggers reach the runner, and events reach the supervisor, at that sync.
The supervisor in turn waits up to a second for the runner between its passes over the
metadata DB, where it picks up the triggers the scheduler has just created. A task that starts
in the triggerer and can end at once (each model task of the ``models`` rendering once its
dbt verdict exists) pays those waits at every dbt dependency level, because its task starts
only when its parents' have ended: after ``dbt build`` had finished, a transform run spent
about two seconds per level finishing its model tasks.

- ``shorten_waits(seconds)``: the runner's wait between syncs and the supervisor's wait for
  the runner become ``seconds`` (default :data:`WAIT`); each still ends at once when there is
  something to do. The cost is the supervisor's pass over the metadata DB (new and unused
  triggers), which follows each sync. At 0.2 s the demo, with a hundred tasks deferred at
  once, took 335 s against 295 s with Airflow's waits; at 0.5 s it took 296 s, and the
  transform's model tasks still ended within about 4 s of dbt instead of 10-16 s.
- ``wake_on_events()``: the runner also ends its sleep as soon as a trigger fires an event,
  and as soon as its supervisor has new triggers for it (the supervisor sends it
  :data:`WAKE_SIGNAL`, whose default action is to be ignored), rather than at the next sync.
  Measured on a transform run after dbt had finished: a model task's trigger started 0.8 s
  after the scheduler created it, and each dbt dependency level took 1.1-1.9 s.
- ``queue_runner_logs()``: the runner's log lines reach the supervisor through a socket that
  the supervisor drains between its other work. Written from the event loop, a line blocks
  the loop while that socket is full; if the supervisor is at that moment sending the runner
  a reply too large for the other socket, neither side moves again (a CI run stalled with a
  hundred model tasks deferred for 30 minutes). Here the runner queues its lines, and one
  thread writes them, so the event loop never waits for the supervisor to read a log.
- Before the runner reports triggers finished (when the supervisor closes their task logs),
  it waits, without blocking the loop, until the supervisor has *read* the lines queued so
  far: the kernel's count of the socket's unread bytes (``TIOCOUTQ``) says when. Waiting only
  until they were written was not enough: a demo run had the last lines (dbt's lines, the
  compiled SQL, the verdict) of 41 model tasks in the triggerer's own log, because the
  supervisor had not read them when their finish arrived. After :data:`LOG_FLUSH_TIMEOUT` it
  reports them anyway, with a warning naming the triggers.
- ``read_logs_in_bulk()``: the supervisor reads the log socket 4 KiB per pass of its loop,
  and a pass also does its metadata-DB work, so a burst of finishing model tasks (each with
  its compiled SQL) left hundreds of kilobytes unread for seconds. Here a pass reads what
  the socket holds, up to :data:`LOG_READ_SIZE`; it still never waits for more.
- ``reuse_deserialized_dags()``: to start a task in the triggerer (``start_from_trigger``), the
  supervisor deserializes the task's whole DAG to find the task, and the runner deserializes
  it again to build the task's context: twice per trigger, so starting every model task of a
  DAG grows with the square of its size. Measured with py-spy on a 700-model transform (549
  model tasks in four DAGs), that was the triggerer's largest cost. Here each process keeps
  the DAGs it deserialized, by DAG version, and reuses them; the supervisor also reads each
  version's ``serialized_dag`` row once (it read and JSON-decoded it for every trigger).
- ``main`` applies all five and runs ``airflow triggerer`` with the given arguments
  (``python -m ol_platform.orchestration.triggerer [args]``). The runner is forked from the
  supervisor (Linux), so it inherits the patches.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import fcntl
import functools
import io
import os
import queue
import signal
import struct
import termios
import threading
from collections.abc import Iterator
from typing import Any

import structlog
from cachetools import LRUCache

from ol_platform.orchestration.airflow_command import run

WAIT = 0.5
# How long the runner waits for its queued log lines to be read before it reports triggers
# finished anyway (their last lines then go to the triggerer's own log).
LOG_FLUSH_TIMEOUT = 10.0
# The most the supervisor reads from the runner's log socket per pass (Airflow's is 4 KiB);
# a socket pair holds about 200 KiB unread by default.
LOG_READ_SIZE = 1 << 20
_PATCHED = "_olp_wait"
_PATCHED_DAGS = "_olp_reused_dags"
# Sent by the supervisor to its runner when it has triggers to create or cancel: a signal that
# a process ignores unless it asked for it, so one sent before the runner's loop is up is lost,
# not fatal (the runner then syncs at its next wait's end, as Airflow's does).
WAKE_SIGNAL = signal.SIGWINCH

# structlog, as Airflow's runner logs: a stdlib logger can be disabled by a logging setup.
log = structlog.get_logger(logger_name=__name__)


def shorten_waits(seconds: float = WAIT) -> None:
    """Cap the triggerer's two one-second idle waits at ``seconds`` (idempotent)."""
    from airflow.jobs import triggerer_job_runner as module

    supervisor = module.TriggerRunnerSupervisor
    if getattr(supervisor._service_subprocess, _PATCHED, None) == seconds:
        return
    original_service = getattr(supervisor._service_subprocess, "__wrapped__", None)
    original_service = original_service or supervisor._service_subprocess

    @functools.wraps(original_service)
    def _service_subprocess(self: Any, max_wait_time: float, *args: Any, **kwargs: Any) -> Any:
        return original_service(self, min(max_wait_time, seconds), *args, **kwargs)

    setattr(_service_subprocess, _PATCHED, seconds)
    supervisor._service_subprocess = _service_subprocess

    # The runner's loop sleeps in ``anyio.move_on_after(1)``, read from the module's ``anyio``.
    anyio = module.anyio.anyio if isinstance(module.anyio, _CappedAnyio) else module.anyio
    module.anyio = _CappedAnyio(anyio, seconds)


class _CappedAnyio:
    """``anyio`` as the triggerer module sees it: the same, but ``move_on_after`` waits at
    most ``seconds``, and :meth:`wake` ends the wait in progress (the runner's sleep)."""

    def __init__(self, anyio: Any, seconds: float) -> None:
        self.anyio, self.seconds = anyio, seconds
        self._sleep: tuple[asyncio.AbstractEventLoop, Any] | None = None

    @contextlib.contextmanager
    def move_on_after(self, delay: float, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with self.anyio.move_on_after(min(delay, self.seconds), *args, **kwargs) as scope:
            sleep = self._sleep = (asyncio.get_running_loop(), scope)
            try:
                yield scope
            finally:
                if self._sleep is sleep:
                    self._sleep = None

    def wake(self) -> None:
        """End the current wait, if any (from any thread; a wait that ended meanwhile, or a
        later one, is left alone)."""
        if (sleep := self._sleep) is None:
            return
        loop, scope = sleep

        def cancel() -> None:
            if self._sleep is sleep:  # still that wait: its scope is active
                scope.cancel()

        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing waits
            loop.call_soon_threadsafe(cancel)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.anyio, name)


class _WakingDeque(collections.deque):
    """The runner's queue of trigger events: appending one calls ``wake``."""

    def __init__(self, items: Any, wake: Any) -> None:
        super().__init__(items)
        self.wake = wake

    def append(self, item: Any) -> None:
        super().append(item)
        self.wake()


def wake_on_events() -> None:
    """A runner's sleep between syncs ends when one of its triggers fires an event, or when its
    supervisor has new triggers for it (idempotent; after :func:`shorten_waits`, whose capped
    sleep it ends)."""
    from airflow.jobs import triggerer_job_runner as module

    runner, supervisor = module.TriggerRunner, module.TriggerRunnerSupervisor
    if getattr(runner.__init__, _PATCHED, False):
        return
    original_init, original_arun = runner.__init__, runner.arun
    original_update = supervisor.update_triggers

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        anyio = module.anyio
        if isinstance(anyio, _CappedAnyio):
            self.events = _WakingDeque(self.events, anyio.wake)

    @functools.wraps(original_arun)
    async def arun(self: Any) -> Any:
        anyio = module.anyio
        if isinstance(anyio, _CappedAnyio):
            # The loop runs in the runner's main thread; elsewhere no handler can be set.
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(WAKE_SIGNAL, anyio.wake)
        return await original_arun(self)

    @functools.wraps(original_update)
    def update_triggers(self: Any, requested_trigger_ids: set[int]) -> Any:
        before = len(self.creating_triggers), len(self.cancelling_triggers)
        result = original_update(self, requested_trigger_ids)
        if (len(self.creating_triggers), len(self.cancelling_triggers)) != before:
            with contextlib.suppress(OSError, AttributeError, TypeError):  # no runner (yet)
                os.kill(self.pid, WAKE_SIGNAL)
        return result

    for patched in (__init__, arun, update_triggers):
        setattr(patched, _PATCHED, True)
    runner.__init__, runner.arun = __init__, arun
    supervisor.update_triggers = update_triggers


class QueuedWriter(io.RawIOBase):
    """A binary stream whose ``write`` never blocks: chunks are queued and one daemon thread
    writes them, in order, to ``raw``. ``drain`` waits (up to ``drain_timeout``) for the queue
    to empty, so the last lines of a stopping runner are not lost."""

    def __init__(self, raw: Any, drain_timeout: float = 10.0) -> None:
        super().__init__()
        self.raw, self.drain_timeout = raw, drain_timeout
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._counting = threading.Lock()
        self.queued = 0  # bytes accepted so far
        self.written = 0  # bytes handed to ``raw`` (or dropped once it is gone)
        self._writer = threading.Thread(target=self._drain, name="log-writer", daemon=True)
        self._writer.start()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        with self._counting:  # the queue's order is the count's order
            self._chunks.put(chunk)
            self.queued += len(chunk)
        return len(chunk)

    async def read_up_to(self, mark: int, timeout: float, poll: float = 0.01) -> bool:
        """Wait, on the event loop, until the reader of ``raw`` has read the first ``mark``
        bytes (until they are written, where ``raw`` is not a socket); False if it has not
        by ``timeout``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.read_at_least() < mark and self._writer.is_alive():
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(poll)
        return True

    def read_at_least(self) -> int:
        """Bytes the reader of ``raw`` has read at least (written, where not a socket)."""
        written = self.written  # first: bytes written later only add to the unread count
        try:
            unread = struct.unpack(
                "i", fcntl.ioctl(self.raw.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            )[0]
        except OSError:
            return written  # not a socket: nothing tells what the reader has read
        # The kernel counts unread data with its overhead, so this errs low, never high.
        return written - unread

    def fileno(self) -> int:
        return self.raw.fileno()

    def _drain(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            view = memoryview(chunk)
            try:
                while view:
                    view = view[self.raw.write(view) or 0 :]
            except OSError:
                return  # the supervisor has gone: nobody is left to read the rest
            self.written += len(chunk)

    def drain(self) -> None:
        """Write what is queued (bounded by ``drain_timeout``), then stop the writer."""
        if self._writer.is_alive():
            self._chunks.put(None)
            self._writer.join(self.drain_timeout)


_CHANNELS: list[QueuedWriter] = []


def queue_runner_logs() -> None:
    """The runner's JSON log channel becomes a :class:`QueuedWriter`, drained when the runner
    ends (idempotent)."""
    from airflow.jobs import triggerer_job_runner as module
    from airflow.sdk.execution_time import supervisor

    if getattr(supervisor._configure_logs_over_json_channel, _PATCHED, False):
        return
    from airflow.sdk.log import configure_logging, reset_logging

    def _configure_logs_over_json_channel(log_fd: int) -> None:
        # Airflow's own setup of the channel, with the queue between the loggers and the fd.
        reset_logging()
        channel = QueuedWriter(os.fdopen(log_fd, "wb", buffering=0))
        _CHANNELS.append(channel)
        configure_logging(json_output=True, output=channel, sending_to_supervisor=True)

    # The forked runner clears inherited atexit hooks and leaves by os._exit: its own entry
    # point is where the queue can still be written out.
    run_in_process = module.TriggerRunnerSupervisor.run_in_process.__func__

    def run_then_drain(cls: type) -> None:
        try:
            run_in_process(cls)
        finally:
            for channel in _CHANNELS:
                channel.drain()

    sync_state_to_supervisor = module.TriggerRunner.sync_state_to_supervisor

    async def sync_after_logs(self: Any, finished_ids: list[int]) -> None:
        if finished_ids:
            for channel in _CHANNELS:
                mark = channel.queued
                if not await channel.read_up_to(mark, LOG_FLUSH_TIMEOUT):
                    # Says which task logs may lack their last lines, and that the wait, not
                    # the trigger, held up their finish.
                    log.warning(
                        "Triggers reported finished with log lines unread: their last lines "
                        "may be in the triggerer's log",
                        triggers=finished_ids,
                        timeout_seconds=LOG_FLUSH_TIMEOUT,
                        unread_bytes_at_most=mark - channel.read_at_least(),
                    )
        await sync_state_to_supervisor(self, finished_ids)

    for patched in (_configure_logs_over_json_channel, run_then_drain, sync_after_logs):
        setattr(patched, _PATCHED, True)
    supervisor._configure_logs_over_json_channel = _configure_logs_over_json_channel
    module.TriggerRunnerSupervisor.run_in_process = classmethod(run_then_drain)
    module.TriggerRunner.sync_state_to_supervisor = sync_after_logs


def read_logs_in_bulk(size: int = LOG_READ_SIZE) -> None:
    """The supervisor's reader of the runner's log socket takes up to ``size`` bytes per pass
    (idempotent)."""
    from airflow.jobs import triggerer_job_runner as module

    reader = module.make_buffered_socket_reader
    original = getattr(reader, "func", reader)
    if getattr(reader, "keywords", {}).get("buffer_size") == size:
        return
    # Only the triggerer module's name: the task supervisor's readers keep Airflow's size.
    module.make_buffered_socket_reader = functools.partial(original, buffer_size=size)


# DAG versions each triggerer process keeps deserialized (a few per DAG: old versions age out).
DAG_CACHE_SIZE = 32
_DAG_VERSION: contextvars.ContextVar[Any] = contextvars.ContextVar("olp_dag_version", default=None)


class _DagCache(LRUCache):
    """The most recently used deserialized DAGs, by DAG version."""

    def __init__(self) -> None:
        super().__init__(maxsize=DAG_CACHE_SIZE)

    def get_or_build(self, key: Any, build: Any) -> Any:
        if key not in self:
            self[key] = build()
        return self[key]


class _Version:
    """What the triggerer's supervisor uses of a ``serialized_dag`` row (one version of one
    DAG, which never changes), read once: its data and its deserialized DAG."""

    def __init__(self, row: Any) -> None:
        self.dag_id, self.dag_hash = row.dag_id, row.dag_hash
        self.data = row.data
        self.dag = row.dag


def reuse_deserialized_dags() -> None:
    """Deserialize each DAG version once per triggerer process, not once per trigger
    (idempotent). A DAG version's serialized form never changes, and neither side changes the
    DAG it finds the task in."""
    from airflow.jobs.triggerer_job_runner import TriggerRunner
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.serialization.serialized_objects import DagSerialization

    if getattr(SerializedDagModel, _PATCHED_DAGS, False):
        return
    cache = _DagCache()
    model_dag = SerializedDagModel.dag.fget

    def dag(self: Any) -> Any:
        # The supervisor: a row of serialized_dag is one version of one DAG.
        return cache.get_or_build(("row", self.dag_id, self.dag_hash), lambda: model_dag(self))

    from_dict = DagSerialization.from_dict.__func__

    def cached_from_dict(cls: Any, serialized_obj: dict) -> Any:
        version = _DAG_VERSION.get()
        if version is None:
            return from_dict(cls, serialized_obj)
        return cache.get_or_build(("version", version), lambda: from_dict(cls, serialized_obj))

    create_runtime_ti = TriggerRunner.create_runtime_ti.__func__

    def runtime_ti(cls: Any, task_instance: Any, encoded_dag: dict, dag_run_data: dict) -> Any:
        # The runner: the DAG sent with a trigger is the one of its task instance's version.
        token = _DAG_VERSION.set(getattr(task_instance, "dag_version_id", None))
        try:
            return create_runtime_ti(cls, task_instance, encoded_dag, dag_run_data)
        finally:
            _DAG_VERSION.reset(token)

    from airflow.models.dagbag import DBDagBag

    rows = _DagCache()
    serialized_dag_model = DBDagBag.get_serialized_dag_model

    def cached_serialized_dag_model(self: Any, version_id: Any, session: Any) -> Any:
        # The supervisor reads the row of the trigger's DAG version for every trigger it
        # starts; decoding its JSON again each time cost 3 s per 550 triggers of a 150-task DAG.
        if version_id not in rows:
            row = serialized_dag_model(self, version_id=version_id, session=session)
            if row is None:
                return None  # not kept: the row may be written meanwhile
            rows[version_id] = _Version(row)
        return rows[version_id]

    SerializedDagModel.dag = property(dag)
    DBDagBag.get_serialized_dag_model = cached_serialized_dag_model
    DagSerialization.from_dict = classmethod(cached_from_dict)
    TriggerRunner.create_runtime_ti = classmethod(runtime_ti)
    setattr(SerializedDagModel, _PATCHED_DAGS, True)


def main(argv: list[str] | None = None) -> None:
    reuse_deserialized_dags()
    shorten_waits()
    wake_on_events()
    queue_runner_logs()
    read_logs_in_bulk()
    run("triggerer", argv)


if __name__ == "__main__":
    main()
