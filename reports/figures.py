"""Every figure the leader reports show, read from published.duckdb and nothing else.

Leaders must see exactly what analysts see and what the quality gate checked,
so the reports never compute a figure: they read published rpt_* tables
(B2/B3-checked, including their 省本级 rows) and only choose, order and label
rows. One function per table; each returns a polars DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from reports.context import ALL_PERIOD, OWN_LABEL, TOTAL_LABEL

Con = duckdb.DuckDBPyConnection


def connect(published: Path) -> Con:
    """Reports only ever read: a read-only connection cannot damage the published file."""
    return duckdb.connect(str(published), read_only=True)


def has_table(con: Con, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
            [table],
        ).fetchall()[0][0]
    )


def columns_of(con: Con, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def frame(con: Con, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or None).pl()


@dataclass(frozen=True, slots=True)
class Scopes:
    province_code: str
    province_name: str
    cities: tuple[tuple[str, str], ...]  # (code, name) in code order


def scopes(con: Con) -> Scopes:
    rows = con.execute(
        "SELECT region_code, region_name, region_level FROM dim_region "
        "WHERE region_level IN ('省', '市') ORDER BY region_code"
    ).fetchall()
    province = [(c, n) for c, n, lvl in rows if lvl == "省"]
    if not province:
        raise LookupError("已发布仓库中没有省级区划（R0 未报送）")
    cities = tuple((c, n) for c, n, lvl in rows if lvl == "市")
    return Scopes(province[0][0], province[0][1], cities)


def publication(con: Con) -> tuple[date, datetime | None]:
    rows = con.execute("SELECT as_of, published_at FROM publication LIMIT 1").fetchall()
    if not rows:
        raise LookupError("已发布仓库缺少 publication 表")
    return rows[0][0], rows[0][1]


def publication_id(con: Con) -> str:
    """The published file's own id (orchestration/publications.py); empty for older files."""
    rows = con.execute(
        "SELECT 1 FROM duckdb_columns() WHERE table_name = 'publication' "
        "AND column_name = 'publication_id'"
    ).fetchall()
    return str(con.execute("SELECT publication_id FROM publication").fetchone()[0]) if rows else ""


def available_years(con: Con) -> list[int]:
    """Years with any inspection or report row; the report year must be one of them."""
    years = {
        int(p)
        for (p,) in con.execute(
            "SELECT DISTINCT period FROM rpt_rectification WHERE period <> ?", [ALL_PERIOD]
        ).fetchall()
        if str(p).isdigit()
    }
    years |= {
        int(y)
        for (y,) in con.execute(
            "SELECT DISTINCT entry_year FROM fct_inspection WHERE entry_year IS NOT NULL"
        ).fetchall()
    }
    return sorted(years)


SCOPE_KINDS = {"市": "city", "省本级": "own", "全省": "total"}
SCOPE_ORDER = "CASE scope_kind WHEN '市' THEN 1 WHEN '省本级' THEN 2 ELSE 3 END, scope_code"
DISPOSAL_COLUMNS = {
    "谈话函询": "disposal_talk",
    "初步核实": "disposal_verify",
    "暂存待查": "disposal_hold",
    "予以了结": "disposal_closed",
    "立案审查调查": "disposal_investigate",
    "待处置": "disposal_pending",
}


def scope_table(con: Con, table: str, period: str) -> pl.DataFrame:
    """One period of a report table with 省本级 rows: cities in code order, 省本级, 全省合计.

    The 省本级 row is a row of the published table (B3 checks it against the
    province's own units), never province − Σ cities computed here.
    """
    df = frame(
        con,
        f"SELECT * FROM {table} WHERE period = ? ORDER BY {SCOPE_ORDER}",
        [period],
    )
    return _labelled(df, pl.col("scope_kind"))


def _labelled(df: pl.DataFrame, kind: pl.Expr) -> pl.DataFrame:
    """`row_kind` (city, own, total: how the sheet formats the row) and the printed scope
    name (全省合计, 省本级) from a scope kind 市 / 省本级 / 全省: one labelling for both
    kinds of report table."""
    return df.with_columns(
        kind.replace_strict(SCOPE_KINDS).alias("row_kind"),
        pl.when(kind == "全省")
        .then(pl.lit(TOTAL_LABEL))
        .when(kind == "省本级")
        .then(pl.lit(OWN_LABEL))
        .otherwise(pl.col("scope_name"))
        .alias("scope_name"),
    )


def rectification(con: Con, period: str) -> pl.DataFrame:
    """整改情况 and 整改进展 for cities, 省本级 and the province: status counts beside the
    deadline ageing of open problems (rpt_rectification_ageing, §6 Rectification)."""
    return scope_table(con, "rpt_rectification_ageing", period)


def overview(con: Con, period: str) -> pl.DataFrame:
    """总体情况: inspections, problems and clue outcomes per city, 省本级 and province (rpt_overview)."""
    return scope_table(con, "rpt_overview", period)


def overdue_problems(con: Con, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Every open problem past its deadline, longest overdue first (rpt_overdue_problems):
    `columns` only (all when None), as the list is long (~195k rows at scale 10)."""
    shown = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    return frame(
        con,
        f"SELECT {shown} FROM rpt_overdue_problems "
        "ORDER BY days_overdue DESC, unit_city_code NULLS LAST, problem_code",
    )


def city_scope_table(con: Con, table: str, period: str) -> pl.DataFrame:
    """One period of a §10 table (the province and each city, no 省本级 row): cities in code
    order, then 全省合计. An older published file without the table gives no rows."""
    if not has_table(con, table):
        return pl.DataFrame()
    sc = scopes(con)
    df = frame(
        con,
        f"SELECT * FROM {table} WHERE period = ? ORDER BY scope_code = ?, scope_code",
        [period, sc.province_code],
    )
    total = pl.col("scope_code") == sc.province_code
    return _labelled(df, pl.when(total).then(pl.lit("全省")).otherwise(pl.lit("市")))


def outcomes(con: Con, period: str) -> pl.DataFrame:
    """成效: 立行立改, 民生, 挽回经济损失, 建立完善制度, 立案, 处分 (rpt_outcomes)."""
    return city_scope_table(con, "rpt_outcomes", period)


def common_problem_followup(con: Con, period: str) -> pl.DataFrame:
    """共性问题对照自查 per scope and year of 推送日期 (rpt_common_problem_followup)."""
    return city_scope_table(con, "rpt_common_problem_followup", period)


def recurrence(con: Con, period: str) -> pl.DataFrame:
    """回头看: categories rectified at the prior inspection that recurred (rpt_recurrence)."""
    return city_scope_table(con, "rpt_recurrence", period)


def _table_or_empty(con: Con, table: str, sql: str, params: list | None = None) -> pl.DataFrame:
    return frame(con, sql, params) if has_table(con, table) else pl.DataFrame()


def common_problems(con: Con) -> pl.DataFrame:
    """Every standing common problem with its follow-up (rpt_common_problems), by push date."""
    return _table_or_empty(
        con,
        "rpt_common_problems",
        "SELECT * FROM rpt_common_problems ORDER BY push_date, issuer_code, common_problem_code",
    )


def recurrence_items(con: Con) -> pl.DataFrame:
    """疑似整改不到位: each recurred (回头看 inspection, category) (rpt_recurrence_items)."""
    return _table_or_empty(
        con,
        "rpt_recurrence_items",
        """
        SELECT i.*, coalesce(c.region_name, ?) AS city_name
        FROM rpt_recurrence_items AS i
        LEFT JOIN dim_region AS r ON i.region_code = r.region_code
        LEFT JOIN dim_region AS c ON r.city_code = c.region_code
        ORDER BY r.city_code NULLS LAST, i.region_code, i.unit_code, i.lookback_entry_date,
                 i.category
        """,
        [OWN_LABEL],
    )


SUPERVISION_TOP = 20
SUPERVISION_ORDER = "u.overdue DESC, u.completion_rate ASC NULLS LAST, u.unit_code"


def supervision(con: Con, top: int = SUPERVISION_TOP) -> tuple[pl.DataFrame, pl.DataFrame]:
    """督办清单 (§10): the `top` units with the most overdue problems (ties: lower completion
    rate, then unit code), and each city's own list (省本级 last) in the same order. Only
    units with an overdue problem are listed: a unit with none needs no 督办."""
    if not has_table(con, "rpt_rectification_by_unit"):
        return pl.DataFrame(), pl.DataFrame()
    sc = scopes(con)
    base = """
        SELECT u.*, CASE WHEN u.city_code = ? THEN ? ELSE coalesce(c.region_name, u.city_code)
               END AS city_name, coalesce(g.region_name, u.region_code) AS region_name
        FROM rpt_rectification_by_unit AS u
        LEFT JOIN dim_region AS c ON u.city_code = c.region_code
        LEFT JOIN dim_region AS g ON u.region_code = g.region_code
        WHERE u.overdue > 0
    """
    params = [sc.province_code, OWN_LABEL]
    head = frame(con, f"{base} ORDER BY {SUPERVISION_ORDER} LIMIT {int(top)}", params)
    by_city = frame(
        con,
        f"{base} ORDER BY u.city_code = ?, u.city_code, {SUPERVISION_ORDER}",
        [*params, sc.province_code],
    )
    return head, by_city


def self_check_overdue(con: Con) -> pl.DataFrame:
    """W4 督查清单: obligations unanswered after 自查时限, one row per unit, with the office
    that keeps the unit's T8 (fct_common_problem_obligation, is_overdue_unanswered)."""
    table = "fct_common_problem_obligation"
    if not has_table(con, table) or "is_overdue_unanswered" not in columns_of(con, table):
        return pl.DataFrame()
    return frame(
        con,
        f"""
        SELECT o.* FROM {table} AS o
        WHERE o.is_overdue_unanswered
        ORDER BY o.reporting_office_code, o.issuer_code, o.common_problem_code, o.unit_code
        """,
    )


GROUPS = {"交叉": "x", "非交叉": "n"}


def clue_yield_comparison(con: Con, period: str) -> pl.DataFrame:
    """交叉 vs 非交叉 per city and province: both groups, the crude ratio, the stratified ratio."""
    sc = scopes(con)
    yld = frame(con, "SELECT * FROM rpt_clue_yield WHERE period = ?", [period])
    ratio = {
        r["scope_code"]: r
        for r in frame(
            con, "SELECT * FROM rpt_clue_yield_ratio WHERE period = ?", [period]
        ).to_dicts()
    }
    strat: dict[str, dict] = {}
    wanted = {"mh_ratio_clues", "mh_ratio_clues_ci_low", "mh_ratio_clues_ci_high"}
    if has_table(con, "rpt_clue_yield_stratified") and wanted <= columns_of(
        con, "rpt_clue_yield_stratified"
    ):
        strat = {
            r["scope_code"]: r
            for r in frame(
                con, "SELECT * FROM rpt_clue_yield_stratified WHERE period = ?", [period]
            ).to_dicts()
        }
    groups = {(r["scope_code"], r["inspection_group"]): r for r in yld.to_dicts()}
    order = [*sc.cities, (sc.province_code, sc.province_name)]
    rows = []
    for code, name in order:
        row: dict = {
            "scope_code": code,
            "scope_name": TOTAL_LABEL if code == sc.province_code else name,
            "row_kind": "total" if code == sc.province_code else "city",
        }
        for group, p in GROUPS.items():
            g = groups.get((code, group), {})
            row[f"{p}_inspections"] = int(g.get("inspections") or 0)
            row[f"{p}_clues"] = int(g.get("clues") or 0)
            row[f"{p}_county_cadre_clues"] = int(g.get("county_cadre_clues") or 0)
            row[f"{p}_clues_per_inspection"] = g.get("clues_per_inspection")
        rt = ratio.get(code, {})
        for col in (
            "ratio_clues",
            "ratio_clues_ci_low",
            "ratio_clues_ci_high",
            "ratio_county_cadre_clues",
            "ratio_county_cadre_clues_ci_low",
            "ratio_county_cadre_clues_ci_high",
        ):
            row[col] = rt.get(col)
        st = strat.get(code, {})
        for col in sorted(wanted):
            row[col] = st.get(col)
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def clue_disposal(con: Con, period: str) -> tuple[pl.DataFrame, list[str]]:
    """线索处置 from rpt_overview (移交, each 处置方式, 立案, 立案率, 处分); the 处置 labels in order."""
    df = overview(con, period).with_columns(
        pl.col("clues").alias("transferred"),
        *(pl.col(col).alias(label) for label, col in DISPOSAL_COLUMNS.items()),
    )
    return df, list(DISPOSAL_COLUMNS)


def deployments(con: Con) -> pl.DataFrame:
    """上下联动: rpt_deployment, one row per campaign and organiser level."""
    return frame(con, "SELECT * FROM rpt_deployment ORDER BY start_date, deployment_code")


def linkages(con: Con) -> pl.DataFrame:
    """成果联动: rpt_linkage, one row per linkage type and direction."""
    return frame(con, "SELECT * FROM rpt_linkage")


def gate_summary(con: Con) -> dict:
    """Blocking checks passed out of run, and the warnings, from dq_results."""
    if not has_table(con, "dq_results"):
        return {"blocking_total": 0, "blocking_passed": 0, "warnings": []}
    total, passed = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'pass') FROM dq_results "
        "WHERE rule_level = 'blocking'"
    ).fetchall()[0]
    warnings = frame(
        con,
        "SELECT rule, any_value(rule_description) AS description, "
        "CAST(sum(failing_count) AS BIGINT) AS failing FROM dq_results "
        "WHERE rule_level <> 'blocking' AND status <> 'pass' GROUP BY rule ORDER BY rule",
    )
    return {"blocking_total": total, "blocking_passed": passed, "warnings": warnings.to_dicts()}


def intake_by_submitter(con: Con) -> tuple[pl.DataFrame, list[str]]:
    """Files, rejections and quarantined rows per submitting office and their 合计 row
    (rpt_intake_by_submitter), with the quarantine rules that occur, in rule order."""
    df = frame(con, "SELECT * FROM rpt_intake_by_submitter ORDER BY is_total, submitter_code")
    total = df.filter(pl.col("is_total"))
    rules = [
        f"R{i}"
        for i in range(1, 9)
        if f"quarantined_r{i}" in df.columns and total.height and total[f"quarantined_r{i}"][0]
    ]
    df = df.with_columns(
        *(pl.col(f"quarantined_r{r[1:]}").alias(r) for r in rules),
        pl.when(pl.col("is_total"))
        .then(pl.lit("total"))
        .otherwise(pl.lit("submitter"))
        .alias("row_kind"),
    )
    return df, rules


def rejected_files(con: Con) -> pl.DataFrame:
    return frame(
        con,
        """
        SELECT f.file_path, coalesce(r.region_name, '无法确定') AS submitter_name,
               f.rule, f.message
        FROM ingest_files AS f LEFT JOIN dim_region AS r ON f.submitter_code = r.region_code
        WHERE f.status = 'rejected' ORDER BY f.submitter_code NULLS LAST, f.file_path
        """,
    )


def missing_submissions(con: Con) -> pl.DataFrame:
    if not has_table(con, "rpt_submission_completeness"):
        return pl.DataFrame(
            schema={"region_name": pl.Utf8, "region_level": pl.Utf8, "year": pl.Int64}
        )
    return frame(
        con,
        "SELECT region_name, region_level, year FROM rpt_submission_completeness "
        "WHERE missing_submission ORDER BY year, region_code",
    )


def reconciliation(con: Con) -> pl.DataFrame:
    return frame(
        con,
        """
        SELECT coalesce(s.region_name, r.submitter_code) AS submitter_name,
               coalesce(g.region_name, r.region_code) AS region_name,
               r.year, r.metric, r.reported, r.derived, r.difference
        FROM rpt_reconciliation AS r
        LEFT JOIN dim_region AS s ON r.submitter_code = s.region_code
        LEFT JOIN dim_region AS g ON r.region_code = g.region_code
        ORDER BY r.submitter_code, r.region_code, r.year
        """,
    )


__all__ = [
    "Scopes",
    "available_years",
    "clue_disposal",
    "clue_yield_comparison",
    "connect",
    "deployments",
    "gate_summary",
    "intake_by_submitter",
    "linkages",
    "missing_submissions",
    "overdue_problems",
    "overview",
    "scope_table",
    "publication",
    "reconciliation",
    "rectification",
    "rejected_files",
    "scopes",
]
