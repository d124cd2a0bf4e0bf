"""What a transform run builds: the models its triggering raw tables feed, whose inputs exist."""

from __future__ import annotations

from types import SimpleNamespace

from ol_platform.transform.project import Model, ProjectGraph
from ol_platform.transform.run_plan import buildable_tests, changed_raw_tables, plan_run

T_A, T_AB = "test.p.not_null_int_a.1", "test.p.assert_dim_ab_covers_int_a.2"
GRAPH = ProjectGraph(
    models=(
        Model("stg_a", "staging", ("raw_a",)),
        Model("stg_b", "staging", ("raw_b",)),
        Model("int_a", "intermediate", (), ("stg_a",), (T_A, T_AB)),
        Model("int_b", "intermediate", (), ("stg_b",)),
        Model("dim_ab", "dimensional", (), ("int_a", "int_b"), (T_AB,)),
    ),
    source_tables=("raw_a", "raw_b"),
    test_parents={T_A: ("model.p.int_a",), T_AB: ("model.p.dim_ab", "model.p.int_a")},
)
ABOVE_STAGING = [m for m in GRAPH.models if m.layer != "staging"]


def event(table: str):
    return SimpleNamespace(asset=SimpleNamespace(name=f"ol_warehouse_local_raw.{table}"))


def test_an_asset_triggered_run_builds_only_what_its_raw_tables_feed():
    changed = changed_raw_tables({"a": [event("raw_a")]})
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=changed, landed=lambda t: True)
    assert plan.selected == ["int_a", "dim_ab"]
    assert plan.excluded == {"int_b": "none of the raw tables it reads changed in this run"}


def test_a_model_whose_inputs_never_landed_is_left_out_with_the_reason():
    changed = changed_raw_tables({"a": [event("raw_a")]})
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=changed, landed=lambda t: t == "raw_a")
    assert plan.selected == ["int_a"]
    assert plan.excluded["dim_ab"] == "its inputs have never landed: raw_b"


def test_a_manual_run_builds_every_model_whose_inputs_exist():
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=changed_raw_tables({}), landed=lambda t: True)
    assert plan.selected == ["int_a", "int_b", "dim_ab"] and plan.excluded == {}


def test_a_conf_selector_leaves_the_choice_to_dbt():
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=None, landed=lambda t: False, conf_select=["x"])
    assert plan.selected is None
    assert plan.as_xcom() == {"selected": None, "excluded": {}, "tests": None}


def test_events_from_several_assets_and_repeated_events_count_once():
    events = {"a": [event("raw_a"), event("raw_a")], "b": [event("raw_b")]}
    assert set(changed_raw_tables(events)) == {"raw_a", "raw_b"}
    assert changed_raw_tables(None) is None


def test_a_model_whose_input_model_was_never_built_waits_for_it():
    """The first source lands: int_a is built, dim_ab reads int_b, which never was (raw_b landed
    long ago but int_b is not in this run): dim_ab waits instead of failing."""
    changed = changed_raw_tables({"a": [event("raw_a")]})
    never_built = {"int_b"}
    plan = plan_run(
        GRAPH,
        list(reversed(ABOVE_STAGING)),  # any order: parents are planned first
        changed=changed,
        landed=lambda t: True,
        built=lambda m: m.name not in never_built and m.name != "dim_ab",
    )
    assert plan.selected == ["int_a"]
    assert plan.excluded["dim_ab"] == "models it reads have never been built: int_b"
    # Once int_b exists, the next run from raw_a rebuilds int_a and dim_ab.
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=changed, landed=lambda t: True)
    assert plan.selected == ["int_a", "dim_ab"]


def test_a_test_that_reads_a_model_left_out_of_the_run_waits_for_a_run_that_builds_it():
    """dbt's eager selection would run T_AB with int_a although dim_ab does not exist yet."""
    assert buildable_tests(GRAPH, ["int_a"]) == {"int_a": [T_A]}
    assert buildable_tests(GRAPH, ["int_a", "dim_ab"]) == {"int_a": [T_A, T_AB], "dim_ab": [T_AB]}
    # A model upstream of the selection counts as available: dim_ab's tests may read int_a.
    assert buildable_tests(GRAPH, ["dim_ab"]) == {"dim_ab": [T_AB]}
    changed = changed_raw_tables({"a": [event("raw_a")]})
    plan = plan_run(GRAPH, ABOVE_STAGING, changed=changed, landed=lambda t: t == "raw_a")
    assert plan.tests == {"int_a": [T_A]}


def test_a_model_of_constants_is_built_by_the_first_run_then_only_when_asked():
    graph = ProjectGraph(
        models=(
            Model("stg_a", "staging", ("raw_a",)),
            Model("dim_platform", "dimensional", ()),
            Model("dim_a", "dimensional", (), ("stg_a", "dim_platform")),
        ),
        source_tables=("raw_a",),
    )
    upper = [m for m in graph.models if m.layer != "staging"]
    changed = changed_raw_tables({"a": [event("raw_a")]})
    staged = lambda m: m.name == "stg_a"  # noqa: E731 - staging exists, nothing above it
    first = plan_run(graph, upper, changed=changed, landed=lambda t: True, built=staged)
    assert first.selected == ["dim_platform", "dim_a"]
    later = plan_run(graph, upper, changed=changed, landed=lambda t: True, built=lambda m: True)
    assert later.selected == ["dim_a"]
