"""The quality gate (contract §8): B1–B4 block publishing, W1–W4 are reported.

Three kinds of evidence meet here: dbt tests (keys, relationships, B1–B3),
Great Expectations suites on the marts (value and distribution rules), and
the B4 comparison with the last published warehouse. Every check becomes one
row of `dq_results`; the blocking rules also become Dagster asset checks.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from expectations.results import CheckResult, write_dq_results
from ingest.rules import RULES
from orchestration.assets.warehouse import dbt_project
from orchestration.resources import WriterLock, XunchaSettings

QUALITY_GATE = dg.AssetKey("quality_gate")
BLOCKING_RULES = ("B1", "B2", "B3", "B4", "S1")
WARNING_RULES = {
    rule: f"提示（不阻断发布）：{text}"
    for rule, text in (
        *((r, RULES[r][1]) for r in ("W1", "W2", "W3")),
        ("W4", "共性问题的自查时限已过，仍有单位未报送对照自查情况"),
    )
}
FACT_TABLES = (
    "fct_inspection",
    "fct_problem",
    "fct_clue",
    "fct_linkage",
    "fct_common_problem",
    "fct_self_check",
)
MARTS_CHECKED = (
    "fct_inspection",
    "fct_problem",
    "fct_clue",
    "fct_linkage",
    "fct_common_problem",
    "fct_self_check",
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
    if not run_results_path.exists():
        return [CheckResult("dbt_build", "B1", "error", 1, "dbt 未运行（没有 run_results.json）")]
    results = json.loads(run_results_path.read_text(encoding="utf-8"))
    if manifest_path is None or not manifest_path.exists():
        manifest_path = Path(dbt_project().manifest_path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = manifest.get("nodes", {})
    checks: list[CheckResult] = []
    for result in results.get("results", []):
        unique_id = result["unique_id"]
        node = nodes.get(unique_id, {})
        status = result["status"]
        if node.get("resource_type") == "test" or unique_id.startswith("test."):
            meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
            rule = meta.get("rule", "B1")
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
                    rule="B1",
                    status="fail",
                    failing_count=1,
                    examples=f"模型未能构建（{status}）：{(result.get('message') or '')[:300]}",
                )
            )
    return checks


def b4_row_counts(warehouse: Path, published: Path) -> list[CheckResult]:
    """B4: a submitter's rows in a fact table must not fall by more than half.

    A fact table the last published warehouse does not have yet (one added by a
    new contract version, e.g. fct_self_check) has nothing to fall from: skipped.
    """
    if not published.exists():
        return [CheckResult("b4_row_counts", "B4", "pass", 0, "首次发布，无可比较的已发布数据")]
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
        return [CheckResult("b4_row_counts", "B4", "fail", len(failures), "；".join(failures[:10]))]
    return [CheckResult("b4_row_counts", "B4", "pass", 0, "")]


def warning_checks(warehouse: Path) -> list[CheckResult]:
    """W1–W4 are counted from the marts that list them; they never block.

    W4 (v2) counts the obligations of common problems whose 自查时限 has passed
    without an answer; the list itself, one row per unit with the office that
    owes it, is `fct_common_problem_obligation WHERE is_overdue_unanswered`.
    """
    queries = {
        ("w1_reconciliation", "W1"): "SELECT count(*) FROM rpt_reconciliation",
        ("w2_missing_submissions", "W2"): (
            "SELECT count(*) FROM rpt_submission_completeness WHERE NOT submitted"
        ),
        ("w3_linkage_problems", "W3"): (
            "SELECT count(*) FROM fct_linkage "
            "WHERE NOT source_problem_exists OR target_problem_exists = false"
        ),
        ("w4_common_problem_overdue", "W4"): (
            "SELECT count(*) FROM fct_common_problem_obligation WHERE is_overdue_unanswered"
        ),
    }
    checks = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for (name, rule), sql in queries.items():
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
        for rule, desc in (
            ("B1", "事实表自然键唯一"),
            ("B2", "报表无负数、比率在 [0,1]、完成数不大于发现数"),
            ("B3", "全省数 = 各市之和 + 省本级"),
            ("B4", "报送单位事实表行数未比上次发布减少一半以上"),
            ("S1", "发布表不含敏感列"),
        )
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
    checks = run_quality_gate(settings)
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
