"""A project too large for one DAG in the per-model rendering becomes several asset-linked DAGs,
each small enough for the triggerer to start its model tasks quickly."""

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


def test_a_large_project_becomes_asset_linked_dags_of_bounded_size(settings, monkeypatch):
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
        assert ("dbt_docs" in dag.task_dict) == (index == len(dags) - 1)
    above = {m.name for m in graph.models if m.layer != "staging"}
    assert set(owner) == above
    layers = {m.name: m.layer for m in graph.models}
    for index, dag in enumerate(dags):
        uris = {a.uri for a in dag.schedule.objects}
        mine = [m for m in graph.models if owner.get(m.name) == index]
        # Scheduled on the Assets of the models of other DAGs its models read, all of them
        # in earlier DAGs (no cycle), and on the raw tables read through staging.
        wanted = {
            f"iceberg://ol-lake/ol_warehouse_local_{layers[p]}/{p}"
            for m in mine
            for p in m.parents
            if owner.get(p, index) != index
        }
        assert {u for u in uris if "_raw/" not in u} == wanted
        assert all(owner[u.rsplit("/", 1)[-1]] < index for u in wanted)
        raws = {
            f"raw_{m.parents[0].split('_')[1]}" for m in mine if m.parents[0].startswith("stg_")
        }
        assert {u.rsplit("/", 1)[-1] for u in uris if "_raw/" in u} == raws
        # Each producer builds its own models and emits their Assets.
        producer = dag.get_task("dbt_producer")
        assert sorted(producer.select) == sorted(m.name for m in mine)
        # ... and reads as inlets the other DAGs' models it may wait for, and the raw tables
        # those read (when each was last rebuilt, and last landed).
        upstream_raw = {
            f"iceberg://ol-lake/ol_warehouse_local_raw/{t}"
            for uri in wanted
            for t in graph.upstream_source_tables([uri.rsplit("/", 1)[-1]])
        }
        assert {a.uri for a in producer.inlets} == wanted | upstream_raw


def test_a_project_under_the_limit_stays_one_transform_dag(settings, monkeypatch):
    graph = _graph(chains=3, length=2)
    monkeypatch.setattr(transform_dag, "load_graph", lambda: graph)
    (dag,) = transform_dag.build_transform_dags(settings, render="models", limit=20)
    assert dag.dag_id == "transform" and "dbt_docs" in dag.task_dict
    assert dag.get_task("dbt_producer").select == transform_dag.TRANSFORM_SELECT
    assert {a.uri.rsplit("/", 1)[-1] for a in dag.schedule.objects} == {"raw_0", "raw_1", "raw_2"}
