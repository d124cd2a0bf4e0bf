"""The source registry: the shipped file is valid, and malformed entries are reported precisely."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
import yaml
from airflow.utils.helpers import validate_key

from ol_platform.sources.models import Cadence, Tag
from ol_platform.sources.registry import (
    DEFAULT_REGISTRY,
    MAX_FILE_BYTES,
    RegistryError,
    load_registry,
)

GOOD = {
    "name": "good_app",
    "title": "A good app",
    "owner": "data-platform",
    "transport": "airbyte",
    "cadence": "6h",
    "system": "good",
    "subsystem": "app",
    "storage": "postgres",
    "tables": [{"entity": "users", "primary_key": ["id"], "cursor": "updated_on"}],
    "airbyte": {"connections": ["good_app_postgres"]},
    "local": {"loader": "app_database", "sample": "good", "conn_id": "good_db"},
}

REFERENCE_SOURCES = {
    "bootcamps_app", "canvas_course_exports", "mitxonline_course_exports", "xpro_course_exports",
    "mitx_course_exports", "irx", "forums", "mit_climate", "mitpe", "oll", "podcasts",
    "mitlearn_app", "mitxonline_openedx", "mitx_openedx", "mitxonline_app", "mailgun",
    "micromasters_app", "ocw_studio_app", "odl_video", "salesforce", "sloan_exec_ed",
    "tracking_logs", "edxorg_archives", "xpro",
}  # fmt: skip


class NoAliasDumper(yaml.SafeDumper):
    """Writes shared Python objects out in full: the registry refuses YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=NoAliasDumper, sort_keys=False)


def write(tmp_path: Path, *entries: dict, **top) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(dump({**top, "sources": list(entries)}))
    return path


def test_shipped_registry_is_valid_and_keeps_every_reference_source():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry.errors == {}
    # A subset, not the exact list: adding a source must not break this test.
    assert set(registry.sources) >= REFERENCE_SOURCES


def test_an_added_source_loads_beside_the_shipped_ones(tmp_path):
    shipped = set(load_registry(DEFAULT_REGISTRY).sources)
    data = yaml.safe_load(DEFAULT_REGISTRY.read_text())
    data["sources"].append(GOOD)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data))
    registry = load_registry(path)
    assert registry.errors == {}
    assert set(registry.sources) == shipped | {"good_app"}
    assert registry["good_app"].raw_table_names() == ["raw__good__app__postgres__users"]


def test_raw_table_names_follow_the_naming_scheme():
    registry = load_registry(DEFAULT_REGISTRY)
    mitxonline = registry["mitxonline_app"].raw_table_names()
    assert mitxonline[:4] == [
        "raw__mitxonline__app__postgres__courses_course",
        "raw__mitxonline__app__postgres__courses_courserun",
        "raw__mitxonline__app__postgres__users_user",
        "raw__mitxonline__app__postgres__courses_courserunenrollment",
    ]
    assert "raw__mitxonline__app__postgres__ecommerce_transaction" in mitxonline
    # Tables of a source's other subsystem or storage take that subsystem's segments.
    xpro = registry["xpro"].raw_table_names()
    assert "raw__xpro__app__postgres__users_user" in xpro
    assert "raw__xpro__openedx__mysql__auth_user" in xpro
    assert "raw__micromasters__app__postgres__social_auth_usersocialauth" in (
        registry["micromasters_app"].raw_table_names()
    )
    # Programs and credentials land beside them, named by the same scheme.
    assert {
        "raw__mitxonline__app__postgres__courses_program",
        "raw__mitxonline__app__postgres__courses_programrequirement",
        "raw__mitxonline__app__postgres__courses_programenrollment",
        "raw__mitxonline__app__postgres__courses_courserungrade",
        "raw__mitxonline__app__postgres__courses_courseruncertificate",
        "raw__mitxonline__app__postgres__courses_programcertificate",
    } <= set(mitxonline)
    assert {
        "raw__micromasters__app__postgres__grades_finalgrade",
        "raw__micromasters__app__postgres__grades_micromasterscoursecertificate",
        "raw__micromasters__app__postgres__courses_electivesset",
    } <= set(registry["micromasters_app"].raw_table_names())
    assert "raw__xpro__app__postgres__courses_platform" in registry["xpro"].raw_table_names()
    assert (
        "raw__bootcamps__app__postgres__klasses_bootcampruncertificate"
        in registry["bootcamps_app"].raw_table_names()
    )
    assert registry["mit_climate"].raw_table_names() == ["raw__mit_climate__api__articles"]
    assert "raw__edxorg__s3__tables__auth_user" in registry["edxorg_archives"].raw_table_names()
    assert "raw__xpro__openedx__mysql__auth_user" in registry["xpro"].raw_table_names()
    assert "raw__xpro__app__postgres__b2b_ecommerce_b2bcoupon" in registry["xpro"].raw_table_names()
    assert "raw__micromasters__app__postgres__ecommerce_redeemedcoupon" in (
        registry["micromasters_app"].raw_table_names()
    )
    assert "raw__bootcamps__app__postgres__ecommerce_receipt" in (
        registry["bootcamps_app"].raw_table_names()
    )
    assert "raw__irx__edxorg__bigquery__mitx_user_info_combo" in registry["irx"].raw_table_names()
    # Tables whose name in the existing lake does not follow the scheme keep that name.
    assert "raw__edxorg__program_learner_report" in registry["irx"].raw_table_names()


def test_schedule_is_derived_from_cadence():
    registry = load_registry(DEFAULT_REGISTRY)
    assert registry["odl_video"].schedule == "*/10 * * * *"
    assert registry["mitxonline_app"].schedule == "0 */6 * * *"
    assert registry["xpro"].schedule == "0 */12 * * *"
    assert registry["mit_climate"].schedule == Cadence.DAILY.cron


def test_tags_come_from_the_fixed_set():
    allowed = {t.value for t in Tag}
    for source in load_registry(DEFAULT_REGISTRY).sources.values():
        assert set(source.all_tags) <= allowed, source.name


MALFORMED = [
    ("bad cadence", {"cadence": "3h"}, "cadence", "'3h'"),
    ("unknown transport", {"transport": "ftp"}, "transport", "'ftp'"),
    ("missing title", {"title": None}, "title", ""),
    ("unknown field", {"schedual": "daily"}, "schedual", "not a known setting"),
    ("airbyte without connections", {"airbyte": None}, "airbyte", "needs an 'airbyte' block"),
    ("dlt with an airbyte block", {"transport": "dlt"}, "airbyte", "takes no 'airbyte' block"),
    ("upper-case entity", {"tables": [{"entity": "Users"}]}, "tables.0.entity", "'Users'"),
    ("bad storage", {"storage": "oracle"}, "storage", "'oracle'"),
    ("negative retries", {"retries": -1}, "retries", "-1"),
    ("tables without storage", {"storage": None}, "storage", "needs a 'storage'"),
    ("duplicate table", {"tables": [{"entity": "users"}, {"entity": "users"}]}, "tables", "twice"),
    ("unknown tag", {"tags": ["misc"]}, "tags.0", "'misc'"),
    ("local without loader", {"local": {"sample": "x"}}, "local.loader", "required"),
    ("unknown loader", {"local": {"loader": "app_databse"}}, "local.loader", "not a known loader"),
    ("export with an ingest loader", {"transport": "course_export", "airbyte": None},
     "local.loader", "not a known loader"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "change", "field", "detail"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_entry_is_reported_with_file_source_and_field(
    tmp_path, case, change, field, detail
):
    bad = {**GOOD, "name": "bad_app", **change}
    bad = {k: v for k, v in bad.items() if v is not None or k not in change}
    path = write(tmp_path, GOOD, bad)
    registry = load_registry(path)
    assert set(registry.sources) == {"good_app"}, "the valid entry must still load"
    message = registry.errors["bad_app"]
    assert str(path) in message
    assert "source 'bad_app'" in message
    assert f"field '{field}'" in message
    assert detail in message


def test_a_duplicate_source_name_breaks_the_later_entry_only(tmp_path):
    path = write(tmp_path, GOOD, {**GOOD, "title": "copy"})
    registry = load_registry(path)
    assert registry["good_app"].title == "A good app"
    [broken] = registry.broken
    assert broken.key == "broken__entry_1", "the DAG id must not collide with the first entry's"
    assert "field 'name': already used by entry #0" in broken.message


def test_lookup_of_a_broken_entry_raises_its_error(tmp_path):
    path = write(tmp_path, {**GOOD, "cadence": "hourly"})
    registry = load_registry(path)
    with pytest.raises(RegistryError, match="field 'cadence'"):
        registry["good_app"]


# ---------------------------------------------------------------------------------------------
# Hostile input: each field wrong in turn, YAML tricks, files that are not a registry at all.
# The promise checked every time: the other sources load exactly as before, the bad entry is
# exactly one broken entry with a usable DAG id, and its message names the file, the source and
# the field in a bounded number of characters.

SHIPPED = load_registry(DEFAULT_REGISTRY)
NEIGHBOURS = [s.model_dump(mode="json", exclude_defaults=True) for s in SHIPPED.sources.values()]
HUGE = "x" * 100_000
# Bound on a broken entry's message, whatever the entry holds (it is shown in the UI).
MESSAGE_LIMIT = 4_000
HOSTILE_VALUES = {
    "null": None,
    "no": False,
    "on": True,
    "zero": 0,
    "negative": -1,
    "float": 3.5,
    "empty": "",
    "huge string": HUGE,
    "spaces and caps": "Not A Name!",
    "empty list": [],
    "nested lists": [[["deep"]]],
    "mapping": {"a": {"b": 1}},
    "long list": list(range(1500)),
    "control characters": "null\x00bell\x07",
}
FIELDS = [f for f in GOOD if f != "name"] + ["name", "retries", "timeout_minutes", "tags"]


def _assert_only_the_bad_entry_broke(registry, path, field: str, bad_name: str | None) -> None:
    """The neighbours are unchanged; the bad entry is one broken entry that names the field."""
    assert {n: s.model_dump() for n, s in registry.sources.items() if n != bad_name} == {
        n: s.model_dump() for n, s in SHIPPED.sources.items()
    }
    if bad_name in registry.sources:
        return  # the value happened to be valid for the field
    [broken] = registry.broken
    assert broken.kind in ("ingest", "course_export")
    validate_key(f"ingest__{broken.key}", max_length=250)
    message = broken.message
    assert len(message) < MESSAGE_LIMIT, len(message)
    assert str(path) in message
    assert "source 'bad_app'" in message or "entry #" in message
    assert f"field '{field}" in message, message


@pytest.mark.parametrize("value_id", list(HOSTILE_VALUES))
@pytest.mark.parametrize("field", FIELDS)
def test_a_hostile_value_in_any_field_breaks_only_its_entry(tmp_path, field, value_id):
    value = HOSTILE_VALUES[value_id]
    bad = {**GOOD, "name": "bad_app", field: value}
    path = tmp_path / "sources.yaml"
    # Insert the bad entry among the shipped ones, as an edit of the real file would.
    path.write_text(dump({"sources": [*NEIGHBOURS[:5], bad, *NEIGHBOURS[5:]]}))
    registry = load_registry(path)
    _assert_only_the_bad_entry_broke(registry, path, field, "bad_app")


def _shipped_text_with(entry_yaml: str) -> str:
    text = DEFAULT_REGISTRY.read_text()
    return text.replace("\n  - name: mitpe\n", f"\n{entry_yaml}\n  - name: mitpe\n", 1)


BAD_ENTRY = """  - name: bad_app
    title: A bad app
    transport: airbyte
    cadence: 6h
    system: bad
    storage: postgres
    tables: [{entity: users, primary_key: [id]}]
    airbyte: {connections: [bad_app_postgres]}
    local: {loader: app_database, sample: bad, conn_id: bad_db}"""

DEEP = "[" * 99 + "]" * 99
# YAML-level tricks inside one entry: (case, replace this line of BAD_ENTRY, with this, field).
YAML_TRICKS = [
    ("duplicate key", "    cadence: 6h", "    cadence: 6h\n    cadence: 24h", "cadence"),
    ("duplicate nested key", "[{entity: users,", "[{entity: users, entity: o,", "tables.0.entity"),
    ("alias", "    title: A bad app", "    title: &t A bad app\n    owner: *t", "owner"),
    ("merge key", "    cadence: 6h", "    cadence: 6h\n    local2: {<<: {a: 1}}", "local2"),
    ("python tag", "    cadence: 6h", "    cadence: !!python/object:os.system 6h", "cadence"),
    ("custom tag", "    cadence: 6h", "    cadence: !daily 6h", "cadence"),
    ("unhashable key", "    cadence: 6h", "    cadence: 6h\n    ? [a, b]\n    : c", "(a key)"),
    ("huge integer", "    cadence: 6h", "    cadence: 6h\n    retries: " + "9" * 10_000, "retries"),
    ("deep nesting", "    cadence: 6h", "    cadence: 6h\n    tags: " + DEEP, "tags"),
    ("name no", "  - name: bad_app", "  - name: no", "name"),
    ("name null", "  - name: bad_app", "  - name: null", "name"),
    ("name number", "  - name: bad_app", "  - name: 12", "name"),
    ("name too long", "  - name: bad_app", "  - name: " + "a" * 400, "name"),
    ("name with a dot", "  - name: bad_app", "  - name: bad.app", "name"),
    ("name missing", "  - name: bad_app\n    title", "  - title", "name"),
    ("name a mapping", "  - name: bad_app", "  - name: {x: 1}", "name"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "old", "new", "field"), YAML_TRICKS, ids=[t[0] for t in YAML_TRICKS]
)
def test_a_yaml_trick_in_one_entry_breaks_only_that_entry(tmp_path, case, old, new, field):
    assert old in BAD_ENTRY
    path = tmp_path / "sources.yaml"
    path.write_text(_shipped_text_with(BAD_ENTRY.replace(old, new)))
    registry = load_registry(path)
    _assert_only_the_bad_entry_broke(registry, path, field, "bad_app")
    assert "bad_app" not in registry.sources


def test_bytes_that_are_not_utf8_break_only_the_entry_holding_them(tmp_path):
    path = tmp_path / "sources.yaml"
    text = _shipped_text_with(BAD_ENTRY).encode()
    path.write_bytes(text.replace(b"title: A bad app", b"title: A b\xe9d \xff app"))
    registry = load_registry(path)
    _assert_only_the_bad_entry_broke(registry, path, "title", "bad_app")
    # In a comment they belong to no entry: the file is reported once, everything loads.
    path.write_bytes(DEFAULT_REGISTRY.read_bytes().replace(b"# Fields", b"# Fi\xe9lds"))
    registry = load_registry(path)
    assert set(registry.sources) == set(SHIPPED.sources)
    [problem] = registry.problems
    assert str(problem).startswith(f"{path}: line ") and "not UTF-8" in str(problem)


def test_an_alias_bomb_is_refused_without_expanding(tmp_path):
    """Nine levels of nine aliases would be 9**9 strings; each alias costs one message."""
    layers = ['    title: &l0 ["lol", "lol"]']
    layers += [
        f"    x{i}: &l{i} [{', '.join(f'*l{i - 1}' for _ in range(9))}]" for i in range(1, 10)
    ]
    entry = BAD_ENTRY.replace("    title: A bad app", "\n".join(layers))
    path = tmp_path / "sources.yaml"
    path.write_text(_shipped_text_with(entry))
    tracemalloc.start()
    try:
        registry = load_registry(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"peak {peak} bytes"
    assert set(registry.sources) == set(SHIPPED.sources)
    [broken] = registry.broken
    assert "YAML alias *l0 is not allowed" in broken.message
    assert len(broken.message) < MESSAGE_LIMIT
    assert "... and" in broken.message, "the problem count is bounded"


ENTRY_OF_THE_WRONG_TYPE = ["just text", 42, None, ["a", "list"]]


@pytest.mark.parametrize("entry", ENTRY_OF_THE_WRONG_TYPE, ids=repr)
def test_an_entry_that_is_not_a_mapping_gets_a_broken_entry_of_its_own(tmp_path, entry):
    path = tmp_path / "sources.yaml"
    path.write_text(dump({"sources": [*NEIGHBOURS, entry]}))
    registry = load_registry(path)
    assert set(registry.sources) == set(SHIPPED.sources)
    [broken] = registry.broken
    assert broken.key == f"broken__entry_{len(NEIGHBOURS)}"
    assert f"{path}: entry #{len(NEIGHBOURS)}: must be a mapping" in broken.message


def test_the_same_raw_table_in_two_sources_breaks_the_later_one(tmp_path):
    twin = {**GOOD, "name": "twin_app", "airbyte": {"connections": ["twin"]}}
    path = write(tmp_path, GOOD, twin)
    registry = load_registry(path)
    assert set(registry.sources) == {"good_app"}
    message = registry.errors["twin_app"]
    assert "field 'tables'" in message
    assert "raw table 'raw__good__app__postgres__users' is already landed by source 'good_app'"
    assert "raw__good__app__postgres__users" in message


def test_a_table_named_as_the_existing_lake_names_it_keeps_that_name(tmp_path):
    named = {**GOOD, "tables": [{"entity": "events", "name": "raw__good__openedx__events"}]}
    registry = load_registry(write(tmp_path, named))
    assert registry["good_app"].raw_table_names() == ["raw__good__openedx__events"]


@pytest.mark.parametrize(
    "name", ["good__events", "raw__Good__events", "raw__good__", "raw__a" * 60]
)
def test_a_table_name_outside_the_raw_pattern_breaks_only_its_entry(tmp_path, name):
    bad = {**GOOD, "name": "bad_app", "airbyte": {"connections": ["bad"]}}
    bad["tables"] = [{"entity": "events", "name": name}]
    registry = load_registry(write(tmp_path, GOOD, bad))
    assert set(registry.sources) == {"good_app"}
    assert "field 'tables.0.name'" in registry.errors["bad_app"]


def test_two_course_exports_of_one_system_break_the_later_one(tmp_path):
    export = {
        "name": "canvas_exports", "title": "Canvas", "owner": "x", "transport": "course_export",
        "cadence": "6h", "system": "canvas", "local": {"loader": "canvas_export"},
    }  # fmt: skip
    path = write(tmp_path, export, {**export, "name": "canvas_again"})
    registry = load_registry(path)
    assert set(registry.sources) == {"canvas_exports"}
    [broken] = registry.broken
    assert broken.kind == "course_export" and broken.key == "broken__entry_1"
    assert "field 'system': its DAG id course_export__canvas is already" in broken.message


def test_top_level_and_defaults_typos_are_reported_once_naming_the_key(tmp_path):
    entries = [{k: v for k, v in {**GOOD, "name": f"app_{i}"}.items() if k != "owner"}
               for i in range(3)]  # fmt: skip
    for i, entry in enumerate(entries):
        entry["tables"] = [{"entity": f"users_{i}"}]
    path = write(tmp_path, *entries, defaults={"owner": "team", "ownr": "typo"}, sourcez=[])
    registry = load_registry(path)
    assert set(registry.sources) == {"app_0", "app_1", "app_2"}, "valid defaults still apply"
    assert all(s.owner == "team" for s in registry.sources.values())
    lines = [str(p) for p in registry.problems]
    assert lines == [
        f"{path}: top level: field 'sourcez': is not a known key (did you mean 'sources'?)",
        f"{path}: defaults: field 'ownr': is not a setting a default can give "
        "(did you mean 'owner'?)",
    ]
    [broken] = registry.broken
    assert broken.kind == "registry" and broken.key == "broken__registry"


def test_a_bad_default_value_is_reported_once(tmp_path):
    entries = [{**GOOD, "name": f"app_{i}", "tables": [{"entity": f"t{i}"}]} for i in range(3)]
    for entry in entries:
        del entry["cadence"]
    path = write(tmp_path, *entries, defaults={"cadence": "3h"})
    registry = load_registry(path)
    cadence_default = [p for p in registry.problems if p.where == "defaults"]
    assert [str(p) for p in cadence_default] == [
        f"{path}: defaults: field 'cadence': '3h': Input should be '10m', '6h', '12h' or '24h'"
    ]


def test_a_duplicate_top_level_key_is_an_error(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("defaults: {owner: a}\ndefaults: {owner: b}\nsources: []\n")
    assert [str(p) for p in load_registry(path).problems] == [
        f"{path}: top level: field 'defaults': defined twice"
    ]
    path.write_text("sources: []\nsources: []\n")
    registry = load_registry(path)
    assert registry.fatal and "field 'sources': defined twice" in registry.errors["(registry)"]


UNUSABLE_FILES = [
    ("empty", b"", "is empty"),
    ("only comments", b"# nothing here\n", "is empty"),
    ("a list", b"- a\n- b\n", "the top level must be a mapping with a 'sources' list, found a"),
    ("a string", b"just a string\n", "found a string"),
    ("sources not a list", b"sources: {a: 1}\n", "field 'sources': must be a list"),
    ("no sources", b"defaults: {}\n", "field 'sources': must be a list of sources, found nothing"),
    ("not YAML", b"sources: [unclosed\n", "not valid YAML (line 2"),
    ("latin-1", "sources:\n  - name: caf\xe9\n".encode("latin-1") + b"\x00" * 10 + b"[", "UTF-8"),
    ("binary", bytes(range(256)) * 4, "not UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "content", "detail"), UNUSABLE_FILES, ids=[u[0] for u in UNUSABLE_FILES]
)
def test_an_unusable_file_is_one_problem_naming_the_file(tmp_path, case, content, detail):
    path = tmp_path / "sources.yaml"
    path.write_bytes(content)
    registry = load_registry(path)
    assert registry.fatal and registry.sources == {}
    [problem] = registry.problems
    assert str(problem).startswith(f"{path}: ") and detail in str(problem), str(problem)
    assert "\n" not in str(problem) and len(str(problem)) < 500
    with pytest.raises(RegistryError, match=re.escape(str(path))):
        registry["anything"]


def test_a_missing_or_oversized_file_is_one_problem(tmp_path):
    registry = load_registry(tmp_path / "missing.yaml")
    assert registry.fatal and "cannot read the source registry" in registry.errors["(registry)"]
    path = tmp_path / "sources.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    assert "a registry may hold at most" in load_registry(path).errors["(registry)"]


def test_olp_sources_prints_one_line_per_problem_and_fails(tmp_path, capsys):
    from ol_platform.cli.main import main

    path = tmp_path / "sources.yaml"
    entry = BAD_ENTRY.replace("    cadence: 6h", "    cadence: 6h\n    cadence: 3h")
    entry = entry.replace("  - name: bad_app", "  - name: bad_app\n    colour: blue")
    path.write_text(_shipped_text_with(entry).replace("defaults:", "defaults:\n  ownr: x", 1))
    assert main(["sources", "--registry", str(path)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == len(SHIPPED.sources)
    assert err.splitlines() == [
        f"ERROR {path}: defaults: field 'ownr': is not a setting a default can give "
        "(did you mean 'owner'?)",
        f"ERROR {path}: source 'bad_app': field 'cadence': defined twice",
    ], "the unknown field is reported with the entry once the duplicate is fixed"
    assert "Traceback" not in err


def test_olp_sources_on_an_unreadable_file_prints_one_line(tmp_path, capsys):
    from ol_platform.cli.main import main

    path = tmp_path / "sources.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["sources", "--registry", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"ERROR {path}: ")


def test_the_registry_cut_to_the_sources_landing_some_raw_tables():
    registry = load_registry()
    xpro_users = registry["xpro"].raw_table_names()[0]
    logs = registry["tracking_logs"].raw_table_names()
    cut = registry.landing([xpro_users, *logs, "raw__nobody__api__lands_this"])
    assert sorted(cut.sources) == ["tracking_logs", "xpro"]
    assert cut.path == registry.path and not cut.broken
    assert not registry.landing([]).sources


@pytest.mark.parametrize(
    ("loader", "tables", "ok"),
    [
        ("openedx_export", [{"entity": "course_blocks", "primary_key": ["block_id"]}], True),
        ("openedx_export", [], True),
        ("openedx_export", [{"entity": "users"}], False),
        (
            "openedx_export",
            [{"entity": "course_blocks"}, {"entity": "course_blocks", "name": "raw__x__api__y"}],
            False,
        ),
        ("canvas_export", [{"entity": "course_blocks"}], False),
    ],
    ids=["structure", "none", "other-table", "two-tables", "canvas"],
)
def test_a_course_export_lands_only_its_course_structure(tmp_path, loader, tables, ok):
    export = {
        "name": "studio_exports", "title": "Studio", "owner": "x", "transport": "course_export",
        "cadence": "24h", "system": "mitxonline", "subsystem": "openedx", "storage": "api",
        "tables": tables, "local": {"loader": loader},
    }  # fmt: skip
    registry = load_registry(write(tmp_path, export, GOOD))
    assert "good_app" in registry.sources, "a bad export entry breaks only itself"
    if ok:
        assert (
            registry["studio_exports"].raw_table_names()
            == ["raw__mitxonline__openedx__api__course_blocks"][: len(tables)]
        )
    else:
        [broken] = registry.broken
        assert "field 'tables'" in broken.message and "course_blocks" in broken.message
