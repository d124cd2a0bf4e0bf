"""The demo's Airflow UI, in a real browser: Debian's chromium driven by Playwright against the
same live Airflow the chain test ran on. A data engineer's first minutes: log in, see every
DAG parse, read the transform's graph and a model's dbt log, trigger an ingest DAG and watch it
succeed, follow the Assets. Each step leaves a screenshot in .olp/screenshots/."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from ol_platform.cli.airflow_api import AirflowAPI
from ol_platform.cli.demo import DOWNSTREAM_DAGS, runnable_sources
from ol_platform.orchestration.export_dags import export_sources
from ol_platform.orchestration.transform_dag import DAG_ID as TRANSFORM_DAG_ID
from ol_platform.settings import REPO_ROOT
from ol_platform.sources.registry import DEFAULT_REGISTRY, load_registry
from ol_platform.transform.project import load_graph

# The first test runs the whole demo (about 15 min alone on 2 cores; 25 with a second
# Airflow busy on the machine): the limit catches a hang, not a slow machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

SCREENSHOTS = REPO_ROOT / ".olp" / "screenshots"
INSTALL_CHROMIUM = Path(__file__).with_name("install-chromium.sh")
CHROMIUM = "/usr/bin/chromium"
# Root in a container: no sandbox, no GPU; nothing that phones home while the test runs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A small ingest DAG to trigger from the UI, whose raw tables the transform is scheduled on.
TRIGGERED_SOURCE = "bootcamps_app"
# Layers the per-model rendering groups its tasks by; their tasks' ids are `<layer>.<model>`.
MODEL_GROUPS = ("intermediate", "dimensional", "mart")
DBT_LOG_LINES = re.compile(r"OK created|Completed successfully|\bPASS\b")
UI_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1000}


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed by the test session when missing (CI machines are fresh)."""
    done = subprocess.run(
        ["bash", str(INSTALL_CHROMIUM)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{INSTALL_CHROMIUM} failed:\n{done.stdout}\n{done.stderr}"
    return CHROMIUM


class UI:
    """A page on the Airflow UI that records what it saw, and says where when a step fails."""

    def __init__(self, page, base_url: str, shots: Path) -> None:
        self.page, self.base_url, self.shots = page, base_url, shots
        self.saved: list[Path] = []

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}", wait_until="domcontentloaded")

    def shot(self, name: str) -> Path:
        path = self.shots / f"{len(self.saved) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        return path

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Any failure inside becomes an AssertionError naming the screenshot and HTML saved."""
        try:
            yield
        except Exception as exc:
            png = self.shots / f"FAILED-{name}.png"
            html = png.with_suffix(".html")
            with contextlib.suppress(Exception):
                self.page.screenshot(path=str(png), full_page=True)
            with contextlib.suppress(Exception):
                html.write_text(self.page.content())
            raise AssertionError(
                f"UI step {name!r} failed at {self.page.url}: {exc}\n"
                f"screenshot: {png}\npage HTML: {html}"
            ) from exc


def expected_dag_ids() -> list[str]:
    """The DAGs the demo ran: the slice's ingest DAGs, the transform and the reverse path."""
    registry = load_registry(DEFAULT_REGISTRY)
    return [
        *(registry[name].dag_id for name in runnable_sources(registry)),
        TRANSFORM_DAG_ID,
        *(s.dag_id for s in export_sources()),
        *DOWNSTREAM_DAGS,
    ]


@pytest.fixture
def ui(demo, chromium: str, tmp_path: Path) -> Iterator[UI]:
    from playwright.sync_api import expect, sync_playwright

    # Two cores shared with a whole Airflow: give every wait a minute, not Playwright's 5 s.
    expect.set_options(timeout=UI_TIMEOUT_MS)
    assert demo.summary.ok, "the demo itself failed; see test_demo_chain_under_a_real_scheduler"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*"):
        old.unlink()
    with sync_playwright() as playwright:
        # A fresh profile each time (Playwright makes and removes a temporary user-data-dir).
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(UI_TIMEOUT_MS)
        try:
            yield UI(context.new_page(), demo.airflow_url, SCREENSHOTS)
        finally:
            context.close()
            browser.close()


def test_a_data_engineer_reads_and_drives_the_demo_in_the_airflow_ui(ui: UI, demo) -> None:
    from playwright.sync_api import expect

    page, api = ui.page, AirflowAPI(demo.airflow_url)

    with ui.step("login"):
        # The embedded Airflow's simple auth manager makes every local user an admin, so its
        # login route asks for no password: it sets the session cookie and returns to the UI.
        ui.goto(f"/auth/token/login?next={quote(ui.base_url + '/', safe='')}")
        expect(page.get_by_test_id("nav-dags-link")).to_be_visible()
        assert page.url.rstrip("/") == ui.base_url, page.url
        assert "_token" in {c["name"] for c in page.context.cookies()}, "no session cookie"
        expect(page.get_by_text("Dag Import Error")).to_have_count(0)
        ui.shot("home-after-login")

    with ui.step("dag-list"):
        assert api.get("/importErrors")["total_entries"] == 0, api.get("/importErrors")
        parsed = {d["dag_id"] for d in api.get("/dags", limit=1000)["dags"]}
        missing = set(expected_dag_ids()) - parsed
        assert not missing, f"DAGs Airflow did not parse: {sorted(missing)}"
        ui.goto("/dags?limit=100")
        for dag_id in sorted(parsed):
            expect(page.locator(f'a[href$="/dags/{dag_id}"]').first).to_be_visible()
        expect(page.get_by_text("Dag Import Error")).to_have_count(0)
        # The list scrolls inside the page: a tall window puts every card in the screenshot.
        page.set_viewport_size({"width": 1600, "height": 300 + 140 * len(parsed)})
        ui.shot("dag-list-no-import-errors")
        page.set_viewport_size(VIEWPORT)

    with ui.step("transform-graph"):
        task_ids = [t["task_id"] for t in api.get(f"/dags/{TRANSFORM_DAG_ID}/tasks")["tasks"]]
        assert any(t.split(".")[0] in MODEL_GROUPS for t in task_ids), task_ids
        # Every group a task id names, nested ones included (`layer.model.run` has two).
        groups = sorted(
            {t.rsplit(".", depth)[0] for t in task_ids for depth in range(1, t.count(".") + 1)}
        )
        ui.goto(f"/dags/{TRANSFORM_DAG_ID}")
        page.get_by_role("button", name=re.compile("^Show Graph")).click()
        graph = page.get_by_test_id("rf__wrapper")
        expect(graph).to_be_visible()
        # Task groups start collapsed, each one node; expanded, they show their tasks.
        for group in (g for g in groups if "." not in g):
            expect(page.get_by_test_id(f"rf__node-{group}")).to_be_visible()
        if groups:
            page.get_by_test_id("expand-all-button").click()
        for node_id in [*groups, *task_ids]:
            expect(page.get_by_test_id(f"rf__node-{node_id}")).to_be_visible()
        ui.shot("transform-graph")

    with ui.step("model-log"):
        # A model task that built its model, in a successful run: the first runs start before
        # every source has landed and skip the models whose inputs are missing. With the
        # transform rendered as one build task, that task.
        built = [
            (run["dag_run_id"], ti["task_id"])
            for run in api.runs(TRANSFORM_DAG_ID)
            if run["state"] == "success"
            for ti in api.get(
                f"/dags/{TRANSFORM_DAG_ID}/dagRuns/{quote(run['dag_run_id'], safe='')}"
                "/taskInstances",
                limit=1000,
            )["task_instances"]
            if ti["state"] == "success"
            and (ti["task_id"] == "dbt_build" or ti["task_id"].startswith("intermediate."))
        ]
        assert built, "no successful run built an intermediate model"
        run_id, task_id = built[0]
        model = (
            task_id.split(".")[-1]
            if "." in task_id
            else min(m.name for m in load_graph().models if m.layer == "intermediate")
        )
        ui.goto(f"/dags/{TRANSFORM_DAG_ID}/runs/{quote(run_id, safe='')}/tasks/{task_id}")
        expect(page.get_by_test_id("virtualized-list")).to_contain_text(DBT_LOG_LINES)
        deadline = time.monotonic() + 120
        while True:
            text, model_at = read_log(page, model)
            if model_at is not None and DBT_LOG_LINES.search(text):
                break
            assert time.monotonic() < deadline, f"no dbt line for {model}:\n{text[-3000:]}"
            time.sleep(2)
        page.get_by_test_id("virtual-scroll-container").evaluate(
            "(e, top) => { e.scrollTop = top }", model_at
        )
        ui.shot(f"log-{task_id}")

    with ui.step("trigger-ingest"):
        dag_id = load_registry(DEFAULT_REGISTRY)[TRIGGERED_SOURCE].dag_id
        before = {r["dag_run_id"] for r in api.runs(dag_id)}
        ui.goto(f"/dags/{dag_id}")
        page.get_by_test_id("trigger-dag-button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Trigger Dag")
        # The demo paused its ingest DAGs after their one pass: a run needs the DAG unpaused.
        expect(dialog.get_by_text(f"Unpause {dag_id} on trigger")).to_be_visible()
        unpause = dialog.get_by_role("checkbox")
        if not unpause.is_checked():
            dialog.get_by_text(f"Unpause {dag_id} on trigger").click()
        expect(unpause).to_be_checked()
        ui.shot("trigger-dialog")
        dialog.get_by_test_id("trigger-dag-submit").click()
        # The toaster renders its title twice (two toast regions): any one of them will do.
        expect(page.get_by_text("Dag Run Triggered").first).to_be_visible()
        new = wait_for(lambda: [r for r in api.runs(dag_id) if r["dag_run_id"] not in before])
        run_id = new[0]["dag_run_id"]
        assert new[0]["run_type"] == "manual", new[0]
        ui.goto(f"/dags/{dag_id}/runs/{quote(run_id, safe='')}")
        # The run's badge, then one per task instance; the page refreshes itself while the
        # run is active. Five minutes for the load and its staging build.
        n_tasks = len(api.get(f"/dags/{dag_id}/tasks")["tasks"])
        badges = page.get_by_test_id("state-badge")

        def all_succeeded() -> bool:
            # The run's badge and one per task instance read "Success"; the graph's nodes
            # carry badges of their own ("success", a task group's included).
            texts = [t.strip() for t in badges.all_inner_texts()]
            assert not {t.lower() for t in texts} & {"failed", "upstream_failed"}, texts
            return texts.count("Success") >= 1 + n_tasks

        wait_for(all_succeeded, timeout=300)
        assert api.get(f"/dags/{dag_id}/dagRuns/{run_id}")["state"] == "success"
        ui.shot("triggered-run-succeeded")

    with ui.step("asset-graph"):
        # Every page: the API caps a page at 100 assets, and the lake has more.
        assets = api.all_assets()
        # One of the triggered DAG's raw tables: its graph shows the ingest -> transform hop.
        produced = next(
            a
            for a in assets
            if any(t["dag_id"] == dag_id for t in a["producing_tasks"]) and a["scheduled_dags"]
        )
        ui.goto("/assets")
        page.get_by_placeholder("Search Assets").fill(produced["name"])
        link = page.get_by_role("link", name=produced["name"], exact=True)
        expect(link).to_be_visible()
        # The search is debounced: wait for the list to shrink to the few matching assets.
        wait_for(lambda: page.get_by_role("row").count() < 10)
        ui.shot("assets-list")
        link.click()
        page.wait_for_url(f"**/assets/{produced['id']}")
        graph = page.get_by_test_id("rf__wrapper")
        expect(graph).to_be_visible()
        # The transform is scheduled on every raw table, so this asset's graph holds the whole
        # lake: even fitted at the graph's smallest zoom it renders only the nodes in view, and
        # the producing DAG or a consumer can be out of it. The graph holds the edges into each
        # consumer (from the raw tables in view); the hop from the triggered DAG to them is in
        # the asset's events beside the graph.
        page.get_by_title("Fit View").click()
        for consumer in produced["scheduled_dags"]:
            into = f'[data-testid^="rf__edge-"][data-testid$="-dag:{consumer["dag_id"]}"]'
            expect(graph.locator(into).first).to_be_attached()
        expect(page.get_by_role("link", name=dag_id, exact=True).first).to_be_visible()
        ui.shot("asset-graph")

    for path in ui.saved:
        assert path.stat().st_size > 0, path


def read_log(page, needle: str) -> tuple[str, int | None]:
    """The task log as the UI shows it, and the scroll offset of the first screen naming
    ``needle``. The viewer is virtualised (only the lines on screen are in the page), so
    this scrolls it through from the top."""
    box = page.get_by_test_id("virtual-scroll-container")
    lines = page.get_by_test_id("virtualized-list")
    box.evaluate("e => { e.scrollTop = 0 }")
    seen: list[str] = []
    found_at = None
    while True:
        page.wait_for_timeout(100)
        seen.append(lines.inner_text())
        if found_at is None and needle in seen[-1]:
            found_at = box.evaluate("e => e.scrollTop")
        moved = box.evaluate(
            "e => { const t = e.scrollTop; e.scrollTop = t + e.clientHeight / 2;"
            " return e.scrollTop > t }"
        )
        if not moved:
            break
    return "\n".join(seen), found_at


def wait_for(probe, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(1)
    raise AssertionError(f"nothing after {timeout}s")
