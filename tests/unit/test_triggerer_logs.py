"""The platform's triggerer queues its runner's log lines: a line written from the event loop
must never wait for the supervisor to read the log socket, or the two processes can each wait
for the other (the runner for log space, the supervisor to send the runner a reply). And a
trigger is reported finished only once the supervisor has read its lines, which it reads in
bulk: the supervisor closes the task's log on that report."""

from __future__ import annotations

import asyncio
import os
import select
import socket
import threading
import time

import pytest
import structlog
from structlog.testing import capture_logs

from ol_platform.orchestration.triggerer import QueuedWriter, queue_runner_logs

LINE = b'{"event": "1 of 9 OK created sql table model stg__x", "level": "info"}\n'


def _socketpair() -> tuple[socket.socket, socket.socket]:
    """A socket pair whose buffers fill after a few kilobytes, like a busy log channel."""
    reader, writer = socket.socketpair()
    for sock in (reader, writer):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return reader, writer


def _read_all(sock: socket.socket, out: bytearray) -> None:
    while chunk := sock.recv(65536):
        out.extend(chunk)


def _wait_readable(fd: int, timeout: float) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def test_writes_return_while_nobody_reads_and_arrive_whole_and_in_order():
    reader, writer = _socketpair()
    channel = QueuedWriter(os.fdopen(writer.detach(), "wb", buffering=0))
    lines = [LINE.replace(b"stg__x", f"stg__{i}".encode()) for i in range(20_000)]
    for line in lines:  # ~1.4 MB: hundreds of times what the socket holds unread
        assert channel.write(line) == len(line)

    received = bytearray()
    reading = threading.Thread(target=_read_all, args=(reader, received))
    reading.start()
    channel.drain()
    channel.raw.close()  # the reader sees the end of the stream
    reading.join(30)
    assert bytes(received) == b"".join(lines)


def test_a_plain_unbuffered_channel_blocks_when_full():
    """The failure the queue prevents: the same writes to Airflow's own channel block."""
    reader, writer = _socketpair()
    raw = os.fdopen(writer.detach(), "wb", buffering=0)
    done = threading.Event()

    def write_all() -> None:
        for _ in range(20_000):
            raw.write(LINE)
        done.set()

    threading.Thread(target=write_all, daemon=True).start()
    assert not done.wait(2), "the socket never filled: this test proves nothing"
    _read_all_until(reader, done)


def _read_all_until(sock: socket.socket, done: threading.Event) -> None:
    sock.setblocking(False)
    while not done.is_set():
        if _wait_readable(sock.fileno(), 1):
            sock.recv(65536)


def test_a_write_after_the_supervisor_has_gone_is_dropped_not_raised():
    reader, writer = _socketpair()
    channel = QueuedWriter(os.fdopen(writer.detach(), "wb", buffering=0))
    reader.close()
    channel.write(LINE * 1000)
    channel.drain()  # the writer thread stops on the broken pipe; nothing raises here
    assert channel.write(LINE) == len(LINE)


def _restore_runner(monkeypatch) -> None:
    """Undo ``queue_runner_logs``'s patches of the triggerer after the test."""
    from airflow.jobs import triggerer_job_runner as module
    from airflow.sdk.execution_time import supervisor

    monkeypatch.setattr(
        supervisor,
        "_configure_logs_over_json_channel",
        supervisor._configure_logs_over_json_channel,
    )
    monkeypatch.setattr(
        module.TriggerRunnerSupervisor,
        "run_in_process",
        module.TriggerRunnerSupervisor.__dict__["run_in_process"],
    )
    monkeypatch.setattr(
        module.TriggerRunner,
        "sync_state_to_supervisor",
        module.TriggerRunner.sync_state_to_supervisor,
    )


class _Supervisor:
    """Reads the log socket as the triggerer's supervisor does: late, 4 KiB per pass with
    other work between passes, and each pass's bytes are handled before anything else can
    look (here: under ``lock``)."""

    def __init__(self, sock: socket.socket, start_after: float, pause: float = 0.02) -> None:
        self.sock, self.received, self.lock = sock, bytearray(), threading.Lock()
        self.pause = pause
        sock.setblocking(False)
        self.thread = threading.Timer(start_after, self._read)
        self.thread.start()

    def _read(self) -> None:
        while _wait_readable(self.sock.fileno(), 5):
            with self.lock:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return
                self.received.extend(chunk)
            time.sleep(self.pause)  # the pass's metadata-DB work

    def read_so_far(self) -> int:
        with self.lock:
            return len(self.received)


def test_triggers_are_reported_finished_only_once_their_lines_are_read(monkeypatch):
    """The supervisor closes a trigger's task log when told it finished: lines it has not
    read by then land in the triggerer's own log, not the task's."""
    from airflow.jobs import triggerer_job_runner as module

    from ol_platform.orchestration import triggerer

    _restore_runner(monkeypatch)
    reports: list[tuple[list[int], int, int]] = []
    reader, writer = _socketpair()
    channel = QueuedWriter(os.fdopen(writer.detach(), "wb", buffering=0))
    monkeypatch.setattr(triggerer, "_CHANNELS", [channel])
    supervisor = _Supervisor(reader, start_after=0.5)  # it gets to the log socket later

    async def report(self, finished_ids):  # the runner's own sync with its supervisor
        reports.append((finished_ids, channel.queued, supervisor.read_so_far()))

    monkeypatch.setattr(module.TriggerRunner, "sync_state_to_supervisor", report)
    queue_runner_logs()
    sync = module.TriggerRunner.sync_state_to_supervisor

    async def main() -> None:
        for _ in range(500):
            channel.write(LINE)  # a trigger's last lines, far more than the socket holds
        await sync(None, [7])
        await sync(None, [])  # nothing finished: no wait

    asyncio.run(main())
    channel.drain()
    channel.raw.close()
    (finished, queued, read), (none_finished, _, _) = reports
    assert finished == [7] and read == queued == 500 * len(LINE)
    assert none_finished == []


def test_a_finish_reported_before_its_lines_were_read_is_logged(monkeypatch):
    """When the supervisor has not read a trigger's last lines within the wait, the runner
    reports the finish anyway and says so: the task's log may lack those lines."""
    from airflow.jobs import triggerer_job_runner as module

    from ol_platform.orchestration import triggerer

    _restore_runner(monkeypatch)
    reports: list[list[int]] = []
    reader, writer = _socketpair()  # nobody reads ``reader``
    channel = QueuedWriter(os.fdopen(writer.detach(), "wb", buffering=0))
    monkeypatch.setattr(triggerer, "_CHANNELS", [channel])
    monkeypatch.setattr(triggerer, "LOG_FLUSH_TIMEOUT", 0.2)

    async def report(self, finished_ids):
        reports.append(finished_ids)

    monkeypatch.setattr(module.TriggerRunner, "sync_state_to_supervisor", report)
    queue_runner_logs()
    channel.write(LINE * 3)
    # A fresh logger: one already used may be cached with the processors of an earlier setup.
    monkeypatch.setattr(triggerer, "log", structlog.get_logger(logger_name=triggerer.__name__))
    with capture_logs() as logs:
        asyncio.run(module.TriggerRunner.sync_state_to_supervisor(None, [7, 9]))
    assert reports == [[7, 9]], "the finish is still reported"
    (warning,) = [e for e in logs if e["log_level"] == "warning"]
    assert warning["triggers"] == [7, 9]
    assert warning["unread_bytes_at_most"] >= 3 * len(LINE), "none of the lines was read"
    reader.close()
    channel.drain()


def test_waiting_for_the_reader_ends_at_its_timeout_and_counts_only_whole_reads():
    reader, writer = _socketpair()
    channel = QueuedWriter(os.fdopen(writer.detach(), "wb", buffering=0))
    channel.write(LINE * 10)
    mark = channel.queued

    async def read_by(timeout: float) -> bool:
        return await channel.read_up_to(mark, timeout)

    assert not asyncio.run(read_by(0.2)), "nobody has read a byte"
    reader.recv(mark - 1)
    assert not asyncio.run(read_by(0.2)), "one byte is still unread"
    reader.recv(1)
    assert asyncio.run(read_by(5))
    channel.drain()


def test_waiting_on_a_pipe_waits_for_the_write_only():
    """Where the channel is not a socket, the kernel cannot say what was read."""
    read_fd, write_fd = os.pipe()
    channel = QueuedWriter(os.fdopen(write_fd, "wb", buffering=0))
    channel.write(LINE)
    assert asyncio.run(channel.read_up_to(channel.queued, 5))
    assert os.read(read_fd, 4096) == LINE
    channel.drain()


def test_the_supervisor_reads_what_the_log_socket_holds_in_one_pass(monkeypatch):
    from airflow.jobs import triggerer_job_runner as module

    from ol_platform.orchestration.triggerer import LOG_READ_SIZE, read_logs_in_bulk

    monkeypatch.setattr(module, "make_buffered_socket_reader", module.make_buffered_socket_reader)
    read_logs_in_bulk()
    read_logs_in_bulk()  # idempotent: one size, not stacked partials
    assert module.make_buffered_socket_reader.keywords == {"buffer_size": LOG_READ_SIZE}

    lines: list[bytes] = []

    def handle() -> object:
        while True:
            lines.append(bytes((yield)))

    reader, writer = socket.socketpair()
    writer.sendall(LINE * 1000)  # ~70 KB, as many model tasks finishing at once log
    handler, _ = module.make_buffered_socket_reader(handle(), on_close=lambda sock: None)
    assert handler(reader)  # one pass of the supervisor's select loop
    assert len(lines) == 1000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the triggerer forks its runner")
def test_the_patched_runner_channel_never_blocks_its_loggers_and_loses_nothing(monkeypatch):
    """After ``queue_runner_logs``, the runner's own channel set-up (what a forked runner
    calls) gives loggers that return at once while the supervisor is not reading, and the
    runner's entry point writes the queue out before the process ends."""
    from airflow.jobs import triggerer_job_runner as module
    from airflow.sdk.execution_time import supervisor

    _restore_runner(monkeypatch)
    queue_runner_logs()
    queue_runner_logs()  # idempotent: one queue, not two stacked
    reader, writer = _socketpair()
    logged_r, logged_w = os.pipe()
    lines = 5_000

    pid = os.fork()
    if pid == 0:  # the runner
        code = 1
        try:
            reader.close()
            supervisor._configure_logs_over_json_channel(writer.detach())
            import structlog

            def runner_body(self) -> None:  # stands in for the trigger loop
                log = structlog.get_logger("trigger")
                for i in range(lines):
                    log.info("dbt line", n=i)
                os.write(logged_w, b"x")  # every log call has returned

            module.TriggerRunner.run = runner_body
            module.TriggerRunnerSupervisor.run_in_process()  # the runner's entry point
            code = 0
        finally:
            os._exit(code)

    writer.close()
    # The supervisor reads nothing until the runner says all its log calls returned.
    assert _wait_readable(logged_r, 60), "a log call blocked on the full channel"
    received = bytearray()
    _read_all(reader, received)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    events = [line for line in received.splitlines() if b'"dbt line"' in line]
    assert len(events) == lines
    assert b'"n":4999' in events[-1].replace(b" ", b"")
