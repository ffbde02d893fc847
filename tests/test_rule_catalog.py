"""The rule catalog (contract/rules.yml) and the checks that enforce its rules agree.

A rule id, a dbt test, a GX expectation or a gate check that exists in one place
and not the other fails here: the dbt tests are read from the manifest of a real
`dbt parse`, the GX suites from expectations/suites.py, the rule ids the ingest code
and the dbt models cite from their source. The same comparison run on an edited copy
of the catalog (a rule removed, a dbt test unlisted) must find the gap, and a dbt
test without `meta.rule` must stop the quality gate with a Chinese message.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from contract.rules import CATALOG_PATH, Catalog, catalog, load_catalog
from expectations import suites
from expectations.results import CheckResult
from ingest.registry import registry
from ingest.rules import ROW_RULE_ORDER, RULES
from orchestration.assets import quality
from orchestration.assets.warehouse import DBT_PROJECT_DIR, prepare_manifest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("contract", "ingest", "orchestration", "expectations", "reports")
RULE_ID = re.compile(r"[A-Z][0-9]")
QUOTED_ID = re.compile(r"'([A-Z][0-9])'")
# GX expectation type → dbt generic tests that check the same thing on the same column
SAME_CHECK = {
    "expect_column_values_to_not_be_null": {"not_null", "not_null_columns"},
    "expect_column_values_to_be_between": {"non_negative", "proportion"},
    "expect_column_pair_values_a_to_be_greater_than_b": {"not_greater_than"},
}


@dataclass(frozen=True)
class DbtTest:
    name: str
    generic: str
    rule: str | None
    model: str
    column: str | None
    columns: tuple[str, ...] = ()  # every column a set-based test checks (its column list/pairs)


@dataclass(frozen=True)
class Evidence:
    """What the code and the dbt project actually check and cite."""

    dbt_tests: tuple[DbtTest, ...]
    gx: tuple[tuple[str, str, str], ...]  # (table, expectation type, column)
    ingest_ids: frozenset[str]  # rule ids the ingest code cites
    dbt_model_ids: frozenset[tuple[str, str]]  # (rule id, model or macro) quarantining rows
    other_ids: frozenset[str]  # rule ids cited anywhere else (python and dbt SQL)
    gate_checks: frozenset[str]


def _python_ids(package: str) -> set[str]:
    """Rule ids cited in one package's code: exact string constants and quoted SQL ids."""
    found: set[str] = set()
    for path in sorted((REPO / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if RULE_ID.fullmatch(node.value):
                    found.add(node.value)
                found |= set(QUOTED_ID.findall(node.value))
    return found - set(registry().templates)  # R0, T0…T8 are template codes


def _sql_ids(folder: str) -> dict[str, set[str]]:
    """Rule ids quoted in the SQL of a dbt folder, per model or macro file."""
    templates = set(registry().templates)  # R0, T0…T8 are template codes
    return {
        path.stem: set(QUOTED_ID.findall(path.read_text(encoding="utf-8"))) - templates
        for path in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))
    }


def _dbt_tests() -> tuple[DbtTest, ...]:
    """Every check of the dbt project: a `rule_checks` test (one per model, rule and
    severity) counts as each of the generic tests it runs, on that check's columns."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    tests = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        meta = (node.get("config") or {}).get("meta") or {}
        metadata = node.get("test_metadata") or {}
        kwargs = metadata.get("kwargs") or {}
        parts = kwargs["checks"] if metadata.get("name") == "rule_checks" else [kwargs]
        generics = quality.dbt_test_generics(node) or [node["name"]]
        for generic, part in zip(generics, parts, strict=True):
            column = part.get("column_name") or node.get("column_name")
            tests.append(
                DbtTest(
                    name=node["name"],
                    generic=generic,
                    rule=meta.get("rule"),
                    model=(node.get("attached_node") or "").rsplit(".", 1)[-1],
                    column=column,
                    columns=_checked_columns(column, part),
                )
            )
    return tuple(tests)


def _checked_columns(column: str | None, kwargs: dict) -> tuple[str, ...]:
    """The columns a test checks: its column, or the `columns`/`pairs` of a set-based test."""
    found = [column] if column else []
    found += [c for c in kwargs.get("columns") or [] if isinstance(c, str)]
    found += [c for pair in kwargs.get("pairs") or [] for c in pair if isinstance(c, str)]
    return tuple(found)


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    quarantining = {
        (rule_id, stem)
        for folder in ("models/intermediate", "macros")
        for stem, ids in _sql_ids(folder).items()
        for rule_id in ids
    }
    elsewhere = {i for ids in _sql_ids("models").values() for i in ids}
    for package in PACKAGES:
        if package != "ingest":
            elsewhere |= _python_ids(package)
    return Evidence(
        dbt_tests=_dbt_tests(),
        gx=tuple(
            (table, kind, column)
            for table in quality.MARTS_CHECKED
            for kind, column in suites.planned(table)
        ),
        ingest_ids=frozenset(_python_ids("ingest")),
        dbt_model_ids=frozenset(quarantining),
        other_ids=frozenset(elsewhere),
        gate_checks=frozenset(
            {quality.DBT_BUILD_CHECK, quality.B4_CHECK, suites.SENSITIVE_CHECK}
            | set(quality.warning_queries(catalog()))
        ),
    )


def catalog_problems(cat: Catalog, ev: Evidence) -> list[str]:
    """Every disagreement between the catalog and what the code checks, one line each."""
    problems: list[str] = []
    rules = cat.rules

    def listed(kind: str) -> set[tuple[str, str]]:
        return {(r.id, name) for r in rules.values() for name in getattr(r.checks, kind)}

    # dbt tests: each names a catalog rule that lists its generic test, and back
    for t in ev.dbt_tests:
        if not t.rule:
            problems.append(f"dbt test {t.name} has no meta.rule")
        elif t.rule not in rules:
            problems.append(f"dbt test {t.name}: rule {t.rule} not in the catalog")
        elif t.generic not in rules[t.rule].checks.dbt_tests:
            problems.append(f"dbt test {t.name}: {t.generic} not in {t.rule}.checks.dbt_tests")
    used = {(t.rule, t.generic) for t in ev.dbt_tests}
    problems += [f"{r}.checks.dbt_tests: no dbt test {g}" for r, g in listed("dbt_tests") - used]

    # GX expectations: each type belongs to exactly one rule, every listed type is used
    for kind in {k for _t, k, _c in ev.gx}:
        owners = [r.id for r in rules.values() if kind in r.checks.gx]
        if len(owners) != 1:
            problems.append(f"GX {kind}: owned by {owners or 'no rule'}")
    gx_used = {kind for _t, kind, _c in ev.gx}
    problems += [
        f"{r}.checks.gx: no GX expectation {k}" for r, k in listed("gx") if k not in gx_used
    ]
    # one implementation per check: GX never repeats a dbt test on the same column
    dbt_columns = {(t.model, c, t.generic) for t in ev.dbt_tests for c in t.columns}
    for table, kind, column in ev.gx:
        twins = [g for g in SAME_CHECK.get(kind, ()) if (table, column, g) in dbt_columns]
        if twins:
            problems.append(f"{table}.{column}: checked by GX {kind} and by dbt {twins}")

    # ingest: the rule ids the code cites are exactly the rules the catalog gives to ingest
    declared = {r.id for r in rules.values() if r.checks.ingest}
    problems += [
        f"ingest cites {i}, not an ingest rule of the catalog"
        for i in sorted(ev.ingest_ids - declared)
    ]
    problems += [
        f"{i}.checks.ingest: the ingest code never cites {i}"
        for i in sorted(declared - ev.ingest_ids)
    ]

    # dbt models that quarantine rows
    declared_models = listed("dbt_models")
    problems += [
        f"dbt {m} quarantines {i}, not in {i}.checks.dbt_models"
        for i, m in sorted(ev.dbt_model_ids - declared_models)
    ]
    problems += [
        f"{i}.checks.dbt_models: {m} does not cite {i}"
        for i, m in sorted(declared_models - ev.dbt_model_ids)
    ]

    # the gate's own checks
    declared_gate = {name for _r, name in listed("gate")}
    problems += [
        f"gate check {n} has no rule in the catalog" for n in sorted(ev.gate_checks - declared_gate)
    ]
    problems += [
        f"catalog gate check {n} does not exist" for n in sorted(declared_gate - ev.gate_checks)
    ]
    for name in declared_gate:
        owners = [r for r, n in listed("gate") if n == name]
        if len(owners) != 1:
            problems.append(f"gate check {name} belongs to {owners}")

    # any other rule id the code or the SQL cites must be a catalog rule
    problems += [
        f"{i} is cited by the code but not in the catalog"
        for i in sorted(ev.other_ids - set(rules))
    ]

    # every rule is enforced somewhere and carries the texts its level is read with
    for r in rules.values():
        c = r.checks
        if not (c.ingest or c.dbt_models or c.dbt_tests or c.gx or c.gate):
            problems.append(f"{r.id}: nothing checks it")
        needs = ("short", "hint") if r.level in ("row", "file") else ("check",)
        problems += [f"{r.id}: no {field}" for field in needs if not getattr(r, field)]
    return problems


def test_catalog_and_checks_agree(evidence: Evidence) -> None:
    assert catalog_problems(catalog(), evidence) == []


def _edited_catalog(tmp_path: Path, edit) -> Catalog:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    edit(data["rules"])
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalog(path)


def test_a_rule_missing_from_the_catalog_is_found(evidence: Evidence, tmp_path: Path) -> None:
    """The comparison is not vacuous: remove R2 (cited by ingest) and W1 (a gate check)."""

    def drop(rules: dict) -> None:
        del rules["R2"], rules["W1"]

    problems = catalog_problems(_edited_catalog(tmp_path, drop), evidence)
    assert any("ingest cites R2" in p for p in problems), problems
    assert any("gate check w1_reconciliation" in p for p in problems), problems


def test_an_unlisted_dbt_test_or_a_stale_entry_is_found(evidence: Evidence, tmp_path: Path) -> None:
    def edit(rules: dict) -> None:
        rules["B2"]["checks"]["dbt_tests"].remove("non_negative")
        rules["B3"]["checks"]["dbt_tests"].append("no_such_test")
        rules["R7"]["checks"]["dbt_models"].append("int_clues_joined")

    problems = catalog_problems(_edited_catalog(tmp_path, edit), evidence)
    assert any("non_negative not in B2.checks.dbt_tests" in p for p in problems), problems
    assert any("B3.checks.dbt_tests: no dbt test no_such_test" in p for p in problems), problems
    assert any("int_clues_joined does not cite R7" in p for p in problems), problems


def test_gx_repeating_a_dbt_check_is_found(evidence: Evidence) -> None:
    """B2 is dbt's alone: a GX between-check on a column dbt already tests is a duplicate."""
    twin = next(t for t in evidence.dbt_tests if t.generic == "non_negative" and t.columns)
    column = twin.columns[-1]  # set-based: any column of its list
    doubled = Evidence(
        **{
            **evidence.__dict__,
            "gx": (*evidence.gx, (twin.model, "expect_column_values_to_be_between", column)),
        }
    )
    problems = catalog_problems(catalog(), doubled)
    assert any(f"{twin.model}.{column}: checked by GX" in p for p in problems), problems


def test_ingest_rules_keep_their_api() -> None:
    """ingest.rules reads the catalog: same ids, levels and texts, §8's quarantine order."""
    assert ROW_RULE_ORDER == ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")
    assert list(RULES) == list(catalog().rules)
    assert RULES["R2"] == ("row", "必填值缺失或无法按类型解析")
    assert {r for r, (level, _t) in RULES.items() if level == "file"} == {"F1", "F2", "F3", "F4"}
    assert {"B1", "B2", "B3", "B4", "S1"} <= set(quality.BLOCKING_RULES)
    assert {"W1", "W2", "W3", "W4"} <= set(quality.WARNING_RULES)
    assert not set(quality.BLOCKING_RULES) & set(quality.WARNING_RULES)


def _run_results(tmp_path: Path, manifest: dict) -> Path:
    results = {
        "results": [
            {"unique_id": uid, "status": "pass", "failures": 0}
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "test"
        ]
    }
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def test_a_dbt_test_without_a_known_rule_stops_the_gate(tmp_path: Path) -> None:
    """Before, a test without meta.rule counted as B1 without a word; now the gate refuses
    and says which test, in which file, lacks what."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    tests = [uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "test"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    checks = quality.dbt_test_results(_run_results(tmp_path, manifest), tmp_path / "manifest.json")
    assert len(checks) == len(tests) and all(isinstance(c, CheckResult) for c in checks)

    broken = copy.deepcopy(manifest)
    no_rule, unknown = broken["nodes"][tests[0]], broken["nodes"][tests[1]]
    for where in (no_rule["config"]["meta"], no_rule["meta"]):  # dbt writes meta twice
        where.pop("rule")
    unknown["config"]["meta"]["rule"] = unknown["meta"]["rule"] = "B9"
    (tmp_path / "manifest.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(quality.GateMisconfigured) as caught:
        quality.dbt_test_results(_run_results(tmp_path, broken), tmp_path / "manifest.json")
    message = str(caught.value)
    assert "contract/rules.yml" in message
    assert f"dbt 测试 {no_rule['name']}（{no_rule['original_file_path']}）没有 meta.rule" in message
    assert f"{unknown['name']}" in message and "B9 不在目录中" in message


def test_each_check_of_a_rule_checks_test_must_be_listed_for_its_rule(tmp_path: Path) -> None:
    """A `rule_checks` test runs several generic tests under one rule: every one of them must
    be in that rule's `dbt_tests`, not only the first."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    node = next(
        n
        for n in manifest["nodes"].values()
        if (n.get("test_metadata") or {}).get("name") == "rule_checks"
        and n["config"]["meta"]["rule"] == "B1"
        and len(n["test_metadata"]["kwargs"]["checks"]) > 1
    )
    node["test_metadata"]["kwargs"]["checks"][-1]["test"] = "province_rollup"  # a B3 test
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(quality.GateMisconfigured) as caught:
        quality.dbt_test_results(_run_results(tmp_path, manifest), tmp_path / "manifest.json")
    assert f"{node['name']}" in str(caught.value) and "没有 province_rollup" in str(caught.value)


def test_sensitive_columns_come_from_the_template_registry() -> None:
    """§9: the columns marked `sensitive` in templates.yml are the ones S1 looks for."""
    marked = {c.name for t in registry().templates.values() for c in t.columns if c.sensitive}
    assert marked == {"subject_name", "subject_title"}
    assert set(suites.SENSITIVE_COLUMNS) == marked
    leak = suites.sensitive_leaks("fct_clue", {"clue_code", *marked})
    assert leak.rule == "S1" and leak.status == "fail" and leak.blocking_failure


def test_the_gate_asset_fails_with_the_chinese_message(tmp_path: Path) -> None:
    """In Dagster the same refusal is a failed quality_gate step whose description names
    the test, so the refresh says why it did not publish (nothing is guessed as B1)."""
    import dagster as dg

    from orchestration.resources import WriterLock, XunchaSettings

    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    uid, node = next((u, n) for u, n in manifest["nodes"].items() if n["resource_type"] == "test")
    for where in (node["config"]["meta"], node["meta"]):
        where.pop("rule")
    home = tmp_path / "home"
    home.mkdir()
    (home / "dbt_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    results = {"results": [{"unique_id": uid, "status": "pass", "failures": 0}]}
    (home / "dbt_run_results.json").write_text(json.dumps(results), encoding="utf-8")
    outcome = dg.materialize(
        [quality.quality_gate],
        resources={
            "settings": XunchaSettings(home=str(home)),
            "writer": WriterLock(home=str(home)),
        },
        raise_on_error=False,
    )
    assert not outcome.success
    (failure,) = [e for e in outcome.all_events if e.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert f"dbt 测试 {node['name']}" in description and "没有 meta.rule" in description
    assert not (home / "warehouse.duckdb").exists()  # no dq_results written, nothing published


def test_a_warning_rule_is_added_in_the_catalog_alone(tmp_path: Path) -> None:
    """A new warning rule (W9 here) with its `count` query in rules.yml is counted by the gate, with
    no code change; without the query it is not (the gate never invents a count)."""
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE fct_problem AS SELECT * FROM range(5) t(deadline_days)")

    def add_w9(rules: dict) -> None:
        rules["W9"] = {
            "level": "warning",
            "title": "整改时限早于进驻日期",
            "check": "整改时限早于进驻日期",
            "count": "SELECT count(*) FROM fct_problem WHERE deadline_days < 2",
            "checks": {"gate": ["w9_deadline_before_entry"]},
        }

    cat = _edited_catalog(tmp_path, add_w9)
    results = {c.check: c for c in quality.warning_checks(warehouse, cat)}
    w9 = results["w9_deadline_before_entry"]
    assert (w9.rule, w9.status, w9.failing_count) == ("W9", "warn", 2)
    # the real warnings' marts are absent here: counted as not computable, never dropped
    assert {results[name].rule for name in quality.warning_queries(catalog())} == set(
        catalog().ids("warning")
    )

    def without_query(rules: dict) -> None:
        add_w9(rules)
        del rules["W9"]["count"]

    cat = _edited_catalog(tmp_path, without_query)
    assert "w9_deadline_before_entry" not in {
        c.check for c in quality.warning_checks(warehouse, cat)
    }
