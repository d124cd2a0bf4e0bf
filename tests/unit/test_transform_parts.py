"""A project too large for one DAG in the per-model rendering spreads its model tasks over several
DAGs, each small enough for the triggerer to start its model tasks quickly, fed by one producer."""

from __future__ import annotations

from ol_platform.orchestration import transform_dag
from ol_platform.transform.project import Model, ProjectGraph


def _graph(chains: int, length: int) -> ProjectGraph:
    """Chains of intermediate models over staging models, a dimension reading every chain's
    end, and a mart over it: dependencies across any cut of the project."""
    models = [Model(f"stg_{c}", "staging", (f"raw_{c}",)) for c in range(chains)]
    ends = []
    for c in range(chains):
        parent = f"stg_{c}"
        for i in range(length):
            name = f"int_{c}_{i}"
            models.append(Model(name, "intermediate", (), (parent,)))
            parent = name
        ends.append(parent)
    models.append(Model("dim_all", "dimensional", (), tuple(sorted(ends))))
    models.append(Model("mart_all", "mart", (), ("dim_all", "int_0_0")))
    return ProjectGraph(
        models=tuple(sorted(models, key=lambda m: m.name)),
        source_tables=tuple(f"raw_{c}" for c in range(chains)),
        test_parents={},
    )


def test_a_large_project_spreads_its_model_tasks_over_dags_fed_by_one_producer(
    settings, monkeypatch
):
    graph = _graph(chains=12, length=5)  # 62 models above staging
    monkeypatch.setattr(transform_dag, "load_graph", lambda: graph)
    dags = transform_dag.build_transform_dags(settings, render="models", limit=20)
    assert [d.dag_id for d in dags] == [
        "transform",
        "transform__part_02",
        "transform__part_03",
        "transform__part_04",
    ]
    owner: dict[str, int] = {}
    for index, dag in enumerate(dags):
        models = {t.task_id.split(".")[-1] for t in dag.tasks if "." in t.task_id}
        assert 0 < len(models) <= 20
        assert not models & set(owner), "a model is rendered in one DAG only"
        owner.update(dict.fromkeys(models, index))
        # One producer and one catalog step, in the scheduled DAG; the others only report.
        assert ("dbt_producer" in dag.task_dict) == ("dbt_docs" in dag.task_dict) == (index == 0)
    above = {m.name for m in graph.models if m.layer != "staging"}
    assert set(owner) == above
    # A model's parents are in its own part or an earlier one: each part reads in dbt's order.
    for m in graph.models:
        if m.name in owner:
            assert all(owner.get(p, 0) <= owner[m.name] for p in m.parents)
    root, *parts = dags
    # Scheduled on every raw table; the parts are started by the producer, never scheduled.
    assert {a.uri.rsplit("/", 1)[-1] for a in root.schedule.objects} == set(graph.source_tables)
    assert all(d.schedule is None and not d.is_paused_upon_creation for d in parts)
    producer = root.get_task("dbt_producer")
    assert producer.select == transform_dag.TRANSFORM_SELECT
    assert {uid.split(".")[-1] for uid in producer.model_assets} == above
    assert set(producer.part_task_ids) == {d.dag_id for d in parts}
    for dag in parts:
        tasks = [t for t in dag.tasks if "." in t.task_id]
        assert set(producer.part_task_ids[dag.dag_id].values()) == {t.task_id for t in tasks}
        for task in tasks:
            kwargs = task.start_trigger_args.trigger_kwargs
            assert kwargs["producer_dag_id"] == "transform"
            # Ordered within the part by the parents it holds.
            assert sorted(kwargs["parent_task_ids"]) == sorted(task.upstream_task_ids)
    assert all(
        t.start_trigger_args.trigger_kwargs["producer_dag_id"] is None
        for t in root.tasks
        if "." in t.task_id
    )


def test_a_project_under_the_limit_stays_one_transform_dag(settings, monkeypatch):
    graph = _graph(chains=3, length=2)
    monkeypatch.setattr(transform_dag, "load_graph", lambda: graph)
    (dag,) = transform_dag.build_transform_dags(settings, render="models", limit=20)
    assert dag.dag_id == "transform" and "dbt_docs" in dag.task_dict
    assert dag.get_task("dbt_producer").select == transform_dag.TRANSFORM_SELECT
    assert {a.uri.rsplit("/", 1)[-1] for a in dag.schedule.objects} == {"raw_0", "raw_1", "raw_2"}
