"""The tasks that run ``dbt build`` on a selection of models and ``dbt docs generate``, by Cosmos.

Cosmos's package import costs about 0.4 s, which every parse of every DAG file using it would
pay (the DAG processor parses each file in a fresh process, every 30 s by default). This
operator holds only the selection; Cosmos's ``DbtBuildLocalOperator`` is built and run when the
task executes, with the platform's profile, environment and artifact callback.

With ``run_conf_selection`` a run's conf may narrow the build: ``{"select": "<dbt selector>",
"full_refresh": true}`` (what ``olp backfill transform`` sends).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator


def conf_selection(context: Any) -> dict[str, Any]:
    """``select`` (a dbt selector, string or list) and ``full_refresh`` from the run's conf, as
    ``olp backfill transform`` sends them; empty when the conf has neither."""
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    if not isinstance(conf, dict):
        return {}
    overrides: dict[str, Any] = {}
    if conf.get("select"):
        select = conf["select"]
        overrides["select"] = select.split() if isinstance(select, str) else list(select)
    if conf.get("full_refresh"):
        overrides["full_refresh"] = True
    return overrides


class DbtBuildOperator(BaseOperator):
    """``dbt build --select <select>`` through Cosmos; emits the Assets given as ``outlets``."""

    ui_color = "#ff694b"

    def __init__(
        self,
        *,
        select: list[str],
        indirect_selection: str | None = None,
        run_conf_selection: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.select = list(select)
        self.indirect_selection = indirect_selection
        self.run_conf_selection = run_conf_selection

    def conf_overrides(self, context: Any) -> dict[str, Any]:
        """``select`` and ``full_refresh`` from the run's conf, when this task honours them."""
        return conf_selection(context) if self.run_conf_selection else {}

    def cosmos_operator(self, **overrides: Any):
        return cosmos_build(
            task_id=self.task_id,
            select=overrides.get("select", self.select),
            indirect_selection=self.indirect_selection,
            cache_key=f"{self.dag_id}__{self.task_id}",
            full_refresh=overrides.get("full_refresh", False),
        )

    def execute(self, context: Any) -> Any:
        overrides = self.conf_overrides(context)
        if overrides:
            self.log.info("selection from the run's conf: %s", overrides)
        return self.cosmos_operator(**overrides).execute(context)


class DbtDocsOperator(BaseOperator):
    """``dbt docs generate --no-compile``: the warehouse's ``catalog.json`` for OpenMetadata.

    The catalog gives OpenMetadata every model's and source's columns with their types; the
    build's manifest already carries the compiled SQL, so this task skips compiling (its own
    manifest and run_results are not kept) and costs one dbt start-up plus the catalog queries.
    """

    ui_color = "#8194e0"

    def cosmos_operator(self):
        from functools import partial

        from cosmos.constants import InvocationMode
        from cosmos.operators.local import DbtDocsLocalOperator

        from ol_platform.settings import get_settings
        from ol_platform.transform.artifacts import keep_artifacts
        from ol_platform.transform.cosmos_config import operator_args, profile_config
        from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

        settings = get_settings()
        return DbtDocsLocalOperator(
            task_id=self.task_id,
            project_dir=DBT_PROJECT_DIR,
            profile_config=profile_config(settings),
            dbt_executable_path=DBT_EXECUTABLE,
            invocation_mode=InvocationMode.SUBPROCESS,
            install_deps=False,
            dbt_cmd_flags=["--no-compile"],
            callback=partial(keep_artifacts, names=("catalog.json",)),
            **operator_args(settings),
        )

    def execute(self, context: Any) -> Any:
        return self.cosmos_operator().execute(context)


def cosmos_build(
    *,
    task_id: str,
    select: list[str],
    indirect_selection: str | None,
    cache_key: str,
    full_refresh: bool = False,
):
    """Cosmos's ``DbtBuildLocalOperator`` with the platform's profile, environment and callback."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    from ol_platform.settings import get_settings
    from ol_platform.transform.artifacts import keep_artifacts
    from ol_platform.transform.cosmos_config import operator_args, profile_config
    from ol_platform.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    settings = get_settings()
    cache_dir = partial_parse_cache(cache_key)
    return DbtBuildLocalOperator(
        task_id=task_id,
        project_dir=DBT_PROJECT_DIR,
        profile_config=profile_config(settings),
        dbt_executable_path=DBT_EXECUTABLE,
        invocation_mode=InvocationMode.SUBPROCESS,
        install_deps=False,
        select=select,
        indirect_selection=indirect_selection,
        callback=keep_artifacts,
        cache_dir=cache_dir,
        full_refresh=full_refresh,
        **operator_args(settings),
    )


def partial_parse_cache(cache_key: str):
    """Cosmos's cache dir for one task, or None when Cosmos's cache is off. Without one Cosmos
    skips partial parsing: every run would re-parse the whole project (~3 s here); the cache
    starts from the build's partial_parse.msgpack."""
    from cosmos import settings as cosmos_settings
    from cosmos.cache import _obtain_cache_dir_path

    return _obtain_cache_dir_path(cache_key) if cosmos_settings.enable_cache else None
