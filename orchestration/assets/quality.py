"""The quality gate (contract §8): B1–B4 block publishing, W1–W4 are reported.

Three kinds of evidence meet here: dbt tests (keys, relationships, B1–B3),
Great Expectations suites on the marts (the not-null fact columns no dbt test
checks), and our own checks: the B4 comparison with the last published warehouse,
the sensitive columns (S1) and W1–W4. Every check becomes one row of `dq_results`
under the rule the catalog `contract/rules.yml` gives it; the blocking rules also
become Dagster asset checks. A dbt test must name its rule (`meta.rule`): one that
names none, or one the catalog does not list for it, stops the gate.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from contract.rules import Catalog, catalog
from expectations.results import CheckResult, write_dq_results
from orchestration.assets.warehouse import dbt_project
from orchestration.resources import WriterLock, XunchaSettings

QUALITY_GATE = dg.AssetKey("quality_gate")
BLOCKING_RULES = catalog().ids("blocking")
WARNING_RULES = {r.id: f"提示（不阻断发布）：{r.check}" for r in catalog().of_level("warning")}
DBT_BUILD_CHECK = "dbt_build"  # dbt did not run, or a model did not build
B4_CHECK = "b4_row_counts"
FACT_TABLES = (
    "fct_inspection",
    "fct_problem",
    "fct_clue",
    "fct_linkage",
    "fct_common_problem",
    "fct_self_check",
)
# the marts the gate reads (GX suites, the sensitive-column check): the facts and these
MARTS_CHECKED = (
    *FACT_TABLES,
    "fct_common_problem_obligation",
    "rpt_clue_yield",
    "rpt_clue_yield_ratio",
    "rpt_rectification",
    "rpt_reconciliation",
    "rpt_outcomes",
    "rpt_common_problems",
    "rpt_common_problem_followup",
    "rpt_recurrence",
    "rpt_recurrence_items",
    "rpt_rectification_by_unit",
)


def dbt_test_results(
    run_results_path: Path, manifest_path: Path | None = None
) -> list[CheckResult]:
    """One CheckResult per dbt test of the last `dbt build`, rule taken from the test's meta.

    The manifest is the one that build wrote (copied beside run_results.json as
    `dbt_manifest.json`); the shared parse manifest only when that is missing.
    """
    build_rule = catalog().enforcing("gate", DBT_BUILD_CHECK).id
    if not run_results_path.exists():
        # a blocking failure (status "fail"): an "error" row counted as no failure at all
        return [
            CheckResult(
                DBT_BUILD_CHECK, build_rule, "fail", 1, "dbt 未运行（没有 run_results.json）"
            )
        ]
    results = json.loads(run_results_path.read_text(encoding="utf-8"))
    if manifest_path is None or not manifest_path.exists():
        manifest_path = Path(dbt_project().manifest_path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = manifest.get("nodes", {})
    checks: list[CheckResult] = []
    unregistered: list[str] = []
    for result in results.get("results", []):
        unique_id = result["unique_id"]
        node = nodes.get(unique_id, {})
        status = result["status"]
        if node.get("resource_type") == "test" or unique_id.startswith("test."):
            rule = _test_rule(node, unique_id, unregistered)
            failures = int(result.get("failures") or 0)
            passed = status == "pass"
            checks.append(
                CheckResult(
                    check=f"dbt:{node.get('name', unique_id)}",
                    rule=rule,
                    status="pass" if passed else ("warn" if status == "warn" else "fail"),
                    failing_count=failures,
                    examples=(result.get("message") or "")[:500] if not passed else "",
                )
            )
        elif status in {"error", "skipped"} and node.get("resource_type") == "model":
            checks.append(
                CheckResult(
                    check=f"dbt:{node.get('name', unique_id)}",
                    rule=build_rule,
                    status="fail",
                    failing_count=1,
                    examples=f"模型未能构建（{status}）：{(result.get('message') or '')[:300]}",
                )
            )
    if unregistered:
        raise GateMisconfigured(
            "质量闸门无法判断：以下 dbt 测试没有登记到质量规则目录 contract/rules.yml——"
            + "；".join(unregistered[:10])
            + (f"；等共 {len(unregistered)} 项" if len(unregistered) > 10 else "")
        )
    return checks


class GateMisconfigured(Exception):
    """A dbt test the rule catalog cannot place: the gate refuses to guess its rule."""


def _test_rule(node: dict, unique_id: str, unregistered: list[str]) -> str:
    """The test's `meta.rule`, checked against the catalog; a problem is noted in Chinese.

    A test that names no rule used to count as B1 without a word; now it must name a
    rule whose `checks.dbt_tests` lists the test's generic name (every check's, for
    a `rule_checks` test).
    """
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    rule_id = meta.get("rule")
    name = node.get("name", unique_id)
    where = node.get("original_file_path") or unique_id
    generics = dbt_test_generics(node) or [name]
    if not rule_id:
        unregistered.append(
            f"dbt 测试 {name}（{where}）没有 meta.rule：请在它的 config 中写明所属规则，"
            "如 meta: {rule: B1}"
        )
    elif rule_id not in catalog().rules:
        unregistered.append(f"dbt 测试 {name}（{where}）的规则 {rule_id} 不在目录中")
    elif missing := [g for g in generics if g not in catalog().rules[rule_id].checks.dbt_tests]:
        unregistered.append(
            f"dbt 测试 {name}（{where}）登记为 {rule_id}，但目录中 {rule_id} 的 dbt_tests "
            f"没有 {'、'.join(dict.fromkeys(missing))}"
        )
    return str(rule_id or "")


def dbt_test_generics(node: dict) -> list[str]:
    """The generic tests a test node runs: its own generic name, or for `rule_checks`
    (one test per model, rule and severity; dbt_project/tests/generic/rule_checks.sql)
    the generic test of each of its checks, which is what the catalog lists per rule."""
    metadata = node.get("test_metadata") or {}
    generic = metadata.get("name")
    if generic == "rule_checks":
        return [str(c["test"]) for c in (metadata.get("kwargs") or {}).get("checks") or []]
    return [generic] if generic else []


def b4_row_counts(warehouse: Path, published: Path) -> list[CheckResult]:
    """B4: a submitter's rows in a fact table must not fall by more than half.

    A fact table the last published warehouse does not have yet (one added by a
    new contract version, e.g. fct_self_check) has nothing to fall from: skipped.
    """
    rule = catalog().enforcing("gate", B4_CHECK).id
    if not published.exists():
        return [CheckResult(B4_CHECK, rule, "pass", 0, "首次发布，无可比较的已发布数据")]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(f"ATTACH '{published}' AS pub (READ_ONLY)")
        published_tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = 'pub' AND schema_name = 'main'"
            ).fetchall()
        }
        failures: list[str] = []
        for table in FACT_TABLES:
            if table not in published_tables:
                continue
            rows = con.execute(
                f"""
                WITH before AS (SELECT submitter_code, count(*) AS n FROM pub.{table} GROUP BY 1),
                     after AS (SELECT submitter_code, count(*) AS n FROM main.{table} GROUP BY 1)
                SELECT b.submitter_code, b.n, coalesce(a.n, 0)
                FROM before b LEFT JOIN after a USING (submitter_code)
                WHERE coalesce(a.n, 0) * 2 < b.n
                ORDER BY 1
                """
            ).fetchall()
            failures += [f"{table} 报送单位 {s}：{b} 行 → {a} 行" for s, b, a in rows]
    finally:
        con.close()
    if failures:
        return [CheckResult(B4_CHECK, rule, "fail", len(failures), "；".join(failures[:10]))]
    return [CheckResult(B4_CHECK, rule, "pass", 0, "")]


def warning_queries(cat: Catalog) -> dict[str, str]:
    """W1–W4: each warning rule's `count` query in contract/rules.yml under its gate check
    name, so a warning rule is added in the catalog alone (tests/test_rule_catalog.py)."""
    return {r.checks.gate[0]: r.count for r in cat.of_level("warning") if r.checks.gate and r.count}


def warning_checks(warehouse: Path, cat: Catalog | None = None) -> list[CheckResult]:
    """W1–W4 are counted from the marts that list them; they never block.

    W4 (v2) counts the obligations of common problems whose 自查时限 has passed
    without an answer; the list itself, one row per unit with the office that
    owes it, is `fct_common_problem_obligation WHERE is_overdue_unanswered`.
    """
    checks = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cat = cat or catalog()
        for name, sql in warning_queries(cat).items():
            rule = cat.enforcing("gate", name).id
            try:
                (count,) = con.execute(sql).fetchall()[0]
            except duckdb.Error as exc:
                checks.append(CheckResult(name, rule, "warn", 0, f"无法计算：{exc}"[:300]))
                continue
            checks.append(CheckResult(name, rule, "warn" if count else "pass", int(count), ""))
    finally:
        con.close()
    return checks


def run_quality_gate(settings: XunchaSettings) -> list[CheckResult]:
    from expectations.suites import validate_marts

    home = settings.home_paths()
    checks = dbt_test_results(home.root / "dbt_run_results.json", home.root / "dbt_manifest.json")
    checks += validate_marts(home.warehouse, MARTS_CHECKED)
    checks += b4_row_counts(home.warehouse, home.published)
    checks += warning_checks(home.warehouse)
    write_dq_results(home.warehouse, checks)
    return checks


@dg.asset(
    key=QUALITY_GATE,
    group_name="quality",
    deps=[dg.AssetKey(name) for name in MARTS_CHECKED],
    description="质量闸门：B1–B4 阻断发布，W1–W4 仅提示；结果写入 dq_results。",
    check_specs=[
        dg.AssetCheckSpec(name=rule, asset=QUALITY_GATE, blocking=True, description=desc)
        for rule, desc in ((r, catalog().rule(r).check) for r in BLOCKING_RULES)
    ]
    + [
        # W1–W4 are shown beside the blocking rules but never stop publishing.
        dg.AssetCheckSpec(name=rule, asset=QUALITY_GATE, blocking=False, description=desc)
        for rule, desc in WARNING_RULES.items()
    ],
    kinds={"python", "great_expectations"},
)
def quality_gate(
    context: dg.AssetExecutionContext, settings: XunchaSettings, writer: WriterLock
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    del writer  # held for the whole run (orchestration/resources.py)
    try:
        checks = run_quality_gate(settings)
    except GateMisconfigured as exc:
        raise dg.Failure(description=str(exc)) from None
    failed = sorted({c.rule for c in checks if c.blocking_failure})
    yield dg.MaterializeResult(
        metadata={
            "checks_run": len(checks),
            "blocking_failed": ", ".join(failed) or "无",
            "warnings": ", ".join(sorted({c.rule for c in checks if c.status == "warn"})) or "无",
        }
    )
    for rule in BLOCKING_RULES:
        mine = [c for c in checks if c.rule == rule and c.blocking_failure]
        yield dg.AssetCheckResult(
            check_name=rule,
            asset_key=QUALITY_GATE,
            passed=not mine,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "failing_checks": len(mine),
                "examples": "；".join(f"{c.check}: {c.examples}" for c in mine)[:1000] or "无",
            },
        )
    yield from _warning_check_results(checks)


def _warning_check_results(checks: list[CheckResult]) -> Iterator[dg.AssetCheckResult]:
    """W1–W4 as non-blocking checks: a warning severity, the count of rows that need a look."""
    for rule in WARNING_RULES:
        mine = [c for c in checks if c.rule == rule]
        flagged = [c for c in mine if c.status != "pass"]
        yield dg.AssetCheckResult(
            check_name=rule,
            asset_key=QUALITY_GATE,
            passed=not flagged,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_flagged": sum(c.failing_count for c in flagged),
                "examples": "；".join(f"{c.check}: {c.examples}" for c in flagged)[:1000] or "无",
            },
        )
