"""Run the platform's image with buildah (chroot isolation, host network): what the image
smoke test needs, and the check that every command the Helm chart runs exists in the image."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

BUILDAH = ("buildah", "--storage-driver", "vfs")


def buildah(*args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [*BUILDAH, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"buildah {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def image_config(image: str) -> dict:
    """The image's Docker-format config (Entrypoint, Env, User, Healthcheck, Labels)."""
    return json.loads(buildah("inspect", "--type", "image", image))["Docker"]["config"]


@dataclass
class Container:
    """A working container of the image; commands go through the image's ENTRYPOINT."""

    image: str
    env: dict[str, str] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        self.entrypoint = list(image_config(self.image)["Entrypoint"])
        self.name = buildah("from", "--pull-never", self.image).strip()

    def remove(self) -> None:
        self.kill_processes()
        buildah("rm", self.name)

    def processes(self) -> list[int]:
        """PIDs running inside this container: their root directory is its root filesystem
        (a component may leave its process group, as the API server's does)."""
        root = os.stat(buildah("mount", self.name).strip())
        pids = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    st = os.stat(f"/proc/{entry.name}/root")
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) == (root.st_dev, root.st_ino):
                    pids.append(int(entry.name))
        return pids

    def kill_processes(self, grace: float = 20) -> None:
        """Stop everything still running inside this container."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.5)

    def command(
        self, args: Sequence[str], env: Mapping[str, str] | None = None, user: str | None = None
    ) -> list[str]:
        env_args = [f"--env={k}={v}" for k, v in {**self.env, **(env or {})}.items()]
        return [
            *BUILDAH,
            "run",
            "--isolation",
            "chroot",
            "--network",
            "host",
            *([f"--user={user}"] if user else []),
            *env_args,
            self.name,
            "--",
            *self.entrypoint,
            *args,
        ]

    def run(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        timeout: float = 300,
        user: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(args, env, user), capture_output=True, text=True, timeout=timeout
        )

    def start(
        self, args: Sequence[str], env: Mapping[str, str] | None = None, log=None
    ) -> subprocess.Popen:
        """A long-running component in its own process group (stop it with ``stop``)."""
        return subprocess.Popen(
            self.command(args, env),
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """Stop a started component and everything in its process group."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace)


# Run inside the image: every argument vector that starts with an Airflow subcommand must parse
# with Airflow's own CLI parser (`--help` alone would hide unknown flags: argparse prints the
# help and exits 0 before it complains). Prints {argv: error} as JSON.
_PARSE_ARGVS = """
import argparse, contextlib, io, json, sys
from airflow.cli import cli_parser
parser = cli_parser.get_parser()
commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
errors = {}
for argv in json.loads(sys.argv[1]):
    if argv and argv[0] in commands:
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                parser.parse_args(argv)
        except SystemExit as exit:
            errors[" ".join(argv)] = f"exit {exit.code}: {stderr.getvalue().strip()[-500:]}"
print(json.dumps(errors))
"""


def missing_commands(
    container: Container, argvs: Iterable[Sequence[str]], env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Argument vectors (as a chart passes them to the image) that do not work in it: each must
    resolve through the image's entrypoint (``<args> --help`` exits 0) and, when it is an
    Airflow command, parse with Airflow's CLI parser (every flag and value accepted). Returns
    each failure with its output."""
    argvs = [list(argv) for argv in argvs]
    failures = {}
    for argv in argvs:
        done = container.run([*argv, "--help"], env=env)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-2000:]
            failures[" ".join(argv)] = f"exit {done.returncode}: {output}"
    done = container.run(["python", "-c", _PARSE_ARGVS, json.dumps(argvs)], env=env)
    if done.returncode != 0:
        raise RuntimeError(f"parsing the commands in the image failed: {done.stderr[-2000:]}")
    for argv, error in json.loads(done.stdout.strip().splitlines()[-1]).items():
        failures.setdefault(argv, error)
    return failures
