#!/opt/olp/.venv/bin/python
"""Container health for the image's HEALTHCHECK: probes the component the container runs.

The component comes from the arguments given here or, by default, from PID 1's command line
(`tini -- /opt/olp/bin/entrypoint <component> ...`). Exit 0 is healthy, 1 unhealthy.

- api-server: GET /api/v2/monitor/health on its port answers 200 with a healthy metadatabase;
- scheduler: its health server (AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=True) answers 200 on
  /health, else `airflow jobs check --job-type SchedulerJob --local`;
- dag-processor, triggerer: `airflow jobs check --job-type <Job> --local`;
- anything else (one-off commands, workers): healthy, there is nothing to probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ENTRYPOINT = "/opt/olp/bin/entrypoint"
JOB_TYPES = {
    "scheduler": "SchedulerJob",
    "dag-processor": "DagProcessorJob",
    "triggerer": "TriggererJob",
}


def component_args(argv: list[str]) -> list[str]:
    if not argv:
        argv = Path("/proc/1/cmdline").read_bytes().decode().split("\0")
        argv = argv[argv.index(ENTRYPOINT) + 1 :] if ENTRYPOINT in argv else []
    argv = [a for a in argv if a]
    if argv and Path(argv[0]).name == "airflow":
        argv = argv[1:]
    return argv


def option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def http_ok(url: str, check_body: bool = False) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            if response.status != 200:
                return False
            if not check_body:
                return True
            body = json.load(response)
    except (OSError, ValueError) as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return False
    status = body.get("metadatabase", {}).get("status")
    if status != "healthy":
        print(f"unhealthy: {url}: metadatabase {status}", file=sys.stderr)
    return status == "healthy"


def jobs_check(job_type: str) -> bool:
    command = ["airflow", "jobs", "check", "--job-type", job_type, "--local"]
    return subprocess.run(command, stdout=subprocess.DEVNULL).returncode == 0


def healthy(args: list[str]) -> bool:
    component = args[0] if args else ""
    if component == "api-server":
        port = option(args, "--port", "-p") or os.environ.get("AIRFLOW__API__PORT", "8080")
        return http_ok(f"http://127.0.0.1:{port}/api/v2/monitor/health", check_body=True)
    if component == "scheduler" and os.environ.get(
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", ""
    ).lower() in ("true", "1"):
        port = os.environ.get("AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT", "8974")
        return http_ok(f"http://127.0.0.1:{port}/health")
    if component in JOB_TYPES:
        return jobs_check(JOB_TYPES[component])
    return True


if __name__ == "__main__":
    sys.exit(0 if healthy(component_args(sys.argv[1:])) else 1)
