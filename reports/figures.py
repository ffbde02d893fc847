"""Every figure the leader reports show, read from published.duckdb and nothing else.

Leaders must see exactly what analysts see, so the reports never recompute a
published figure: they read the rpt_* tables and, where no report table
exists (inspections and clue outcomes per scope, rectification ageing), count
rows of the published fct_* tables with the same scope rule (§6: a unit counts
for its city and the province). The 省本级 row is the province minus the sum
of its cities, which the quality gate (B3) guarantees to be the province's own
units. One function per table; each returns a polars DataFrame.
"""

from __future__ import annotations

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


def _year_filter(period: str) -> tuple[str, list]:
    if period == ALL_PERIOD:
        return "TRUE", []
    return "entry_year = ?", [int(period)]


def _fact_by_scope(con: Con, table: str, measures: str, period: str) -> pl.DataFrame:
    """Sum of measures per city scope and for the province, from a fact table."""
    where, params = _year_filter(period)
    sql = f"""
        WITH f AS (SELECT * FROM {table} WHERE {where})
        SELECT unit_city_code AS scope_code, {measures} FROM f
        WHERE unit_city_code IS NOT NULL GROUP BY unit_city_code
        UNION ALL
        SELECT unit_province_code AS scope_code, {measures} FROM f
        WHERE unit_province_code IS NOT NULL GROUP BY unit_province_code
    """
    return frame(con, sql, params)


def with_scope_rows(
    sc: Scopes, by_scope: pl.DataFrame, counts: list[str], keep: list[str] | None = None
) -> pl.DataFrame:
    """Cities in code order, then 省本级 (province − Σ cities), then 全省合计.

    `counts` are additive columns; `keep` are non-additive columns (rates) copied
    for cities and the province and left null for 省本级 (callers recompute them).
    """
    keep = keep or []
    data = {r["scope_code"]: r for r in by_scope.to_dicts()}
    rows: list[dict] = []
    for code, name in sc.cities:
        src = data.get(code, {})
        rows.append(
            {"scope_code": code, "scope_name": name, "row_kind": "city"}
            | {c: int(src.get(c) or 0) for c in counts}
            | {c: src.get(c) for c in keep}
        )
    prov = data.get(sc.province_code, {})
    own = {c: int(prov.get(c) or 0) - sum(r[c] for r in rows) for c in counts}
    rows.append(
        {"scope_code": sc.province_code, "scope_name": OWN_LABEL, "row_kind": "own"}
        | own
        | {c: None for c in keep}
    )
    rows.append(
        {"scope_code": sc.province_code, "scope_name": TOTAL_LABEL, "row_kind": "total"}
        | {c: int(prov.get(c) or 0) for c in counts}
        | {c: prov.get(c) for c in keep}
    )
    schema = {"scope_code": pl.Utf8, "scope_name": pl.Utf8, "row_kind": pl.Utf8}
    schema |= {c: pl.Int64 for c in counts} | {c: pl.Float64 for c in keep}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _fill_own_rate(df: pl.DataFrame, rate: str, num: str, den: str) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col("row_kind") == "own")
        .then(pl.col(num).cast(pl.Float64) / pl.when(pl.col(den) > 0).then(pl.col(den)))
        .otherwise(pl.col(rate))
        .alias(rate)
    )


def rectification(con: Con, period: str) -> pl.DataFrame:
    """rpt_rectification for cities, 省本级 and the province (§6 Rectification)."""
    sc = scopes(con)
    rpt = frame(con, "SELECT * FROM rpt_rectification WHERE period = ?", [period])
    counts = ["found", "completed", "in_progress", "not_started", "long_term", "overdue"]
    df = with_scope_rows(sc, rpt, counts, ["completion_rate"])
    return _fill_own_rate(df, "completion_rate", "completed", "found")


def overview(con: Con, period: str) -> pl.DataFrame:
    """总体情况: inspections, problems and clue outcomes per city, 省本级 and province."""
    sc = scopes(con)
    insp = _fact_by_scope(con, "fct_inspection", "count(*) AS inspections", period)
    clues = _fact_by_scope(
        con,
        "fct_clue",
        "count(*) AS clues, count(*) FILTER (WHERE cadre_level = '县管干部') AS county_cadre_clues,"
        " count(*) FILTER (WHERE case_filed) AS cases_filed,"
        " CAST(coalesce(sum(disciplined_count), 0) AS BIGINT) AS disciplined",
        period,
    )
    a = with_scope_rows(sc, insp, ["inspections"])
    b = with_scope_rows(sc, clues, ["clues", "county_cadre_clues", "cases_filed", "disciplined"])
    r = rectification(con, period).select(
        "found", "completed", "completion_rate", "overdue", "in_progress", "not_started"
    )
    return pl.concat([a, r, b.drop("scope_code", "scope_name", "row_kind")], how="horizontal")


def ageing(con: Con, period: str, as_of: date) -> pl.DataFrame:
    """Open problems by deadline: overdue / due within 10 days / later / no deadline."""
    sc = scopes(con)
    measures = (
        "count(*) FILTER (WHERE status <> '已完成' AND deadline < CAST(? AS DATE)) AS age_overdue,"
        " count(*) FILTER (WHERE status <> '已完成' AND deadline >= CAST(? AS DATE)"
        " AND deadline <= CAST(? AS DATE) + 10) AS age_due_soon,"
        " count(*) FILTER (WHERE status <> '已完成' AND deadline > CAST(? AS DATE) + 10)"
        " AS age_later,"
        " count(*) FILTER (WHERE status <> '已完成' AND deadline IS NULL) AS age_no_deadline"
    )
    where, params = _year_filter(period)
    sql = f"""
        WITH f AS (SELECT * FROM fct_problem WHERE {where})
        SELECT unit_city_code AS scope_code, {measures} FROM f
        WHERE unit_city_code IS NOT NULL GROUP BY unit_city_code
        UNION ALL
        SELECT unit_province_code AS scope_code, {measures} FROM f
        WHERE unit_province_code IS NOT NULL GROUP BY unit_province_code
    """
    dates = [as_of] * 4
    by_scope = frame(con, sql, params + dates + dates)
    return with_scope_rows(
        sc, by_scope, ["age_overdue", "age_due_soon", "age_later", "age_no_deadline"]
    )


def rectification_progress(con: Con, period: str, as_of: date) -> pl.DataFrame:
    """整改进展: rpt_rectification beside the deadline ageing of the open problems."""
    ages = ageing(con, period, as_of).drop("scope_code", "scope_name", "row_kind")
    return pl.concat([rectification(con, period), ages], how="horizontal")


def overdue_problems(con: Con, as_of: date) -> pl.DataFrame:
    """Every open problem past its deadline, longest overdue first (all inspection years)."""
    return frame(
        con,
        """
        SELECT coalesce(c.region_name, ?) AS city_name,
               coalesce(o.unit_name, p.unit_code) AS unit_name,
               coalesce(org.region_name, p.organiser_code) AS organiser_name,
               p.problem_code, p.problem_category, p.status, p.entry_year,
               p.deadline, CAST(? AS DATE) - p.deadline AS days_overdue
        FROM fct_problem AS p
        LEFT JOIN dim_org AS o ON p.unit_code = o.unit_code
        LEFT JOIN dim_region AS c ON p.unit_city_code = c.region_code
        LEFT JOIN dim_region AS org ON p.organiser_code = org.region_code
        WHERE p.status <> '已完成' AND p.deadline < CAST(? AS DATE)
        ORDER BY days_overdue DESC, p.unit_city_code NULLS LAST, p.problem_code
        """,
        [OWN_LABEL, as_of, as_of],
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
    """线索处置 from rpt_clue_funnel, pivoted; also returns the 处置 categories in order."""
    sc = scopes(con)
    funnel = frame(
        con,
        "SELECT * FROM rpt_clue_funnel WHERE period = ? ORDER BY stage_order",
        [period],
    )
    disposals: list[str] = []
    for r in funnel.filter(pl.col("stage") == "处置").to_dicts():
        if r["category"] not in disposals:
            disposals.append(r["category"])
    by_scope: dict[str, dict] = {}
    for r in funnel.to_dicts():
        key = {"移交": "transferred", "立案": "cases_filed", "处分": "disciplined"}.get(
            r["stage"], r["category"]
        )
        by_scope.setdefault(r["scope_code"], {"scope_code": r["scope_code"]})[key] = r["value"]
    counts = ["transferred", *disposals, "cases_filed", "disciplined"]
    df = with_scope_rows(sc, pl.DataFrame(list(by_scope.values())), counts)
    return (
        df.with_columns(
            (
                pl.col("cases_filed").cast(pl.Float64)
                / pl.when(pl.col("transferred") > 0).then(pl.col("transferred"))
            ).alias("case_rate")
        ),
        disposals,
    )


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
    """Files, rejections and quarantined rows per submitting office (and the rules seen)."""
    rules = [
        r[0]
        for r in con.execute("SELECT DISTINCT rule FROM quarantine ORDER BY rule").fetchall()
        if r[0]
    ]
    per_rule = ", ".join(
        f"count(q.rule) FILTER (WHERE q.rule = '{r}') AS \"{r}\"" for r in rules if r.isalnum()
    )
    per_rule = f"{per_rule}," if per_rule else ""
    df = frame(
        con,
        f"""
        WITH q AS (
            SELECT f.submitter_code, q.rule FROM quarantine AS q
            LEFT JOIN ingest_files AS f ON q.file_path = f.file_path
        ),
        qs AS (
            SELECT submitter_code, {per_rule} count(*) AS quarantined FROM q
            GROUP BY submitter_code
        ),
        fs AS (
            SELECT submitter_code, count(*) AS files,
                   count(*) FILTER (WHERE status = 'rejected') AS rejected,
                   CAST(coalesce(sum(rows_loaded), 0) AS BIGINT) AS rows_loaded
            FROM ingest_files GROUP BY submitter_code
        )
        SELECT coalesce(fs.submitter_code, qs.submitter_code) AS submitter_code,
               coalesce(r.region_name, '无法确定报送单位') AS submitter_name,
               coalesce(fs.files, 0) AS files, coalesce(fs.rejected, 0) AS rejected,
               coalesce(fs.rows_loaded, 0) AS rows_loaded, qs.* EXCLUDE (submitter_code)
        FROM fs FULL JOIN qs ON fs.submitter_code IS NOT DISTINCT FROM qs.submitter_code
        LEFT JOIN dim_region AS r ON r.region_code = coalesce(fs.submitter_code, qs.submitter_code)
        ORDER BY submitter_code NULLS LAST
        """,
    )
    fill = [c for c in [*rules, "quarantined"] if c in df.columns]
    return df.with_columns([pl.col(c).fill_null(0) for c in fill]), rules


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
    "publication",
    "reconciliation",
    "rectification",
    "rectification_progress",
    "rejected_files",
    "scopes",
]
