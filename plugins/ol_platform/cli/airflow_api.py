"""A small client for the Airflow 3 REST API (v2), as used by the demo and the tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from ol_platform.cli.embedded_airflow import raise_if_stopping

TERMINAL = {"success", "failed"}


@dataclass
class AirflowAPI:
    base_url: str
    timeout: float = 30
    retry_delay: float = 1.0
    # Called at every poll of a wait: the demo passes its embedded Airflow's
    # ``raise_if_exited``, so a dead scheduler ends the wait instead of stalling it.
    watch: Callable[[], None] | None = None
    _http: httpx.Client | None = field(default=None, init=False, repr=False, compare=False)

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.base_url}/api/v2", timeout=self.timeout)

    @property
    def client(self) -> httpx.Client:
        """One client for every call: its connections are kept alive, and making a client
        (its TLS context) costs more CPU than the small calls a wait makes every few seconds."""
        if self._http is None:
            self._http = self._client()
        return self._http

    def request(
        self, method: str, path: str, attempts: int = 6, idempotent: bool | None = None, **kwargs
    ) -> httpx.Response:
        """One API call, retried on 5xx: on SQLite metadata (the local default) a write can
        lose a lock to the scheduler and the API server answers 500. A call that times out
        (a loaded machine), or whose kept-alive connection the server had closed, is retried
        too, unless it may have happened: a POST, unless ``idempotent`` (a read by POST)."""
        retry_lost = method != "POST" if idempotent is None else idempotent
        for attempt in range(attempts):
            try:
                response = self.client.request(method, path, **kwargs)
            except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError):
                if not retry_lost or attempt == attempts - 1:
                    raise
                time.sleep(min(self.retry_delay * 2**attempt, 10))
                continue
            if response.status_code < 500 or attempt == attempts - 1:
                response.raise_for_status()
                return response
            time.sleep(min(self.retry_delay * 2**attempt, 10))
        raise AssertionError("unreachable")

    def check(self) -> None:
        """Raise if a stop signal arrived or ``watch`` finds Airflow broken."""
        raise_if_stopping()
        if self.watch:
            self.watch()

    def get(self, path: str, **params) -> dict:
        return self.request("GET", path, params=params).json()

    def wait_for_dags(
        self,
        dag_ids: list[str],
        timeout: float = 300,
        on_poll: Callable[[set[str]], None] | None = None,
    ) -> None:
        """Wait until the DAG processor has serialised every DAG in ``dag_ids``;
        ``on_poll`` sees the DAGs still missing after each poll."""
        deadline = time.monotonic() + timeout
        missing = set(dag_ids)
        while time.monotonic() < deadline:
            self.check()
            missing = {d for d in missing if self.client.get(f"/dags/{d}").status_code != 200}
            if on_poll:
                on_poll(missing)
            if not missing:
                return
            time.sleep(2)
        errors = self.get("/importErrors").get("import_errors", [])
        raise TimeoutError(
            f"DAGs not parsed after {timeout}s: {sorted(missing)}; import errors: {errors}. "
            "Check them with `uv run pytest tests/unit/test_dag_integrity.py`"
        )

    def unpause(self, dag_id: str) -> None:
        self.request("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def pause(self, dag_id: str) -> None:
        self.request("PATCH", f"/dags/{dag_id}", json={"is_paused": True})

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        body = {"logical_date": None, "conf": conf or {}}
        return self.request("POST", f"/dags/{dag_id}/dagRuns", json=body).json()["dag_run_id"]

    def emit_asset_event(self, asset_id: int, extra: dict | None = None) -> dict:
        """Record an event of an Asset, as a task with that outlet would: the DAGs scheduled
        on it get it in their queue."""
        body = {"asset_id": asset_id, "extra": extra or {}}
        return self.request("POST", "/assets/events", json=body).json()

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns", order_by="id", limit=100)["dag_runs"]

    def runs_of(self, dag_ids: list[str], page: int = 100) -> dict[str, list[dict]]:
        """The runs of every DAG in ``dag_ids`` (each DAG's in creation order), in one call
        per page of the batch endpoint instead of one call per DAG."""
        found: dict[str, list[dict]] = {dag_id: [] for dag_id in dag_ids}
        if not dag_ids:
            return found
        body = {"dag_ids": dag_ids, "order_by": "id", "page_limit": page}

        def page_at(offset: int) -> dict:
            answer = self.request(
                "POST",
                "/dags/~/dagRuns/list",
                json={**body, "page_offset": offset},
                idempotent=True,
            )
            return answer.json()

        for run in self._pages(page_at, "dag_runs"):
            found[run["dag_id"]].append(run)
        return found

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        """Every task instance of a run (a split transform's runs hold more than a page)."""
        return self.every_page(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", "task_instances")

    def every_page(self, path: str, key: str, page: int = 100, **params) -> list[dict]:
        """Every item of a list endpoint, page by page: the API caps a page at its
        ``maximum_page_limit`` (100 by default) and says how many there are in
        ``total_entries``; ``key`` names the list in each answer."""
        return self._pages(lambda offset: self.get(path, limit=page, offset=offset, **params), key)

    @staticmethod
    def _pages(fetch: Callable[[int], dict], key: str) -> list[dict]:
        """Every item of a paged list: ``fetch(offset)`` answers one page."""
        found: list[dict] = []
        while True:
            batch = fetch(len(found))
            found += batch[key]
            if not batch[key] or len(found) >= batch["total_entries"]:
                return found

    def all_task_instances(self, page: int = 100, **filters) -> list[dict]:
        """Task instances of every DAG and run (``~``); ``filters`` are the endpoint's own."""
        return self.every_page(
            "/dags/~/dagRuns/~/taskInstances", "task_instances", page, order_by="id", **filters
        )

    def all_assets(self, **filters) -> list[dict]:
        """Every Asset this Airflow knows, with its producing tasks and scheduled DAGs."""
        return self.every_page("/assets", "assets", order_by="id", **filters)

    def count_task_instances(self, **filters) -> int:
        """How many task instances of every DAG and run match ``filters``, in one call."""
        return self.get("/dags/~/dagRuns/~/taskInstances", limit=1, **filters)["total_entries"]

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[dict]:
        """Every try of one task instance: earlier ones from its history, then the current."""
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries"
        return self.get(path, map_index=map_index)["task_instances"]

    def task_log(
        self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1
    ) -> list[dict | str]:
        """One try's log lines, structured (dicts with ``event``, ``level``) where Airflow has
        them."""
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}"
        response = self.request(
            "GET",
            path,
            params={"full_content": True, "map_index": map_index},
            headers={"Accept": "application/json"},
        )
        return response.json().get("content") or []

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value"):
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}"
        return self.get(path, deserialize=True).get("value")

    def upstream_asset_events(self, dag_id: str, run_id: str) -> list[dict]:
        """The Asset events that triggered an asset-triggered run."""
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}/upstreamAssetEvents")["asset_events"]

    def queued_asset_events(self, dag_id: str) -> list[dict]:
        r = self.client.get(f"/dags/{dag_id}/assets/queuedEvents")
        if r.status_code == 404:
            return []
        r.raise_for_status()
        return r.json().get("queued_events", [])

    def wait_until_settled(
        self,
        dag_id: str,
        min_runs: int = 1,
        timeout: float = 900,
        on_poll: Callable[[], None] | None = None,
        quiet: float = 2,
        interval: float = 2,
    ) -> list[dict]:
        """Wait until ``dag_id`` has at least ``min_runs`` runs, none active and no Asset event
        queued for it, on polls ``quiet`` seconds apart. An Asset event is queued in the
        transaction that ends its producing task and leaves the queue in the one that creates
        the run, so once the producers have ended one poll that reads the queue, then the
        runs, is exact; the second is a margin. ``on_poll`` is called at every poll (the demo
        reports progress from it)."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            self.check()
            if on_poll:
                on_poll()
            # The queue first: a run made from it after this read is in the runs read next.
            queued = self.queued_asset_events(dag_id)
            runs = self.runs(dag_id)
            settled = (
                not queued and len(runs) >= min_runs and all(r["state"] in TERMINAL for r in runs)
            )
            if settled:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= quiet:
                    return runs
            else:
                quiet_since = None
            time.sleep(interval)
        raise TimeoutError(
            f"{dag_id} did not settle within {timeout}s: read its runs' task logs in the "
            f"Airflow UI ({self.base_url}/dags/{dag_id}; after the demo, `uv run olp up`)"
        )
