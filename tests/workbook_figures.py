"""Read every figure of the leader workbook back (calamine) and find it in published.duckdb.

The workbook is read as a leader's spreadsheet program reads it: values only. Each
sheet is a sequence of tables (two header rows, optional grey section rows, data
rows, a blank row after). For each table the spec below names the published rows
it must come from. A data row is found when one published row holds every number
and date of the row and one of its texts (the key: a scope, unit or code). On the
per-year tables the section decides the period; a 同比 row's numbers must be a
difference, a percentage change or percentage points of two published figures of
the same scope (this year's and last year's rows of the same table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
from python_calamine import CalamineWorkbook

NULL_TEXT = "—"
NOT_FIGURES = {"序号"}  # row numbering is layout, not a figure


@dataclass(frozen=True)
class TableSpec:
    first_label: str  # text of the table's first header cell
    sql: str  # the published rows it shows (names joined where the sheet shows names)
    periodic: bool = False  # sections are 年度 / 同比 / 累计 (rows carry a `period` column)
    occurrence: int = 0  # which table with this first label on the sheet


CROSS_SQL = """
    SELECT r.scope_code, r.scope_name, r.period,
           x.inspections AS x_i, x.clues AS x_c, x.county_cadre_clues AS x_k,
           x.clues_per_inspection AS x_r,
           n.inspections AS n_i, n.clues AS n_c, n.county_cadre_clues AS n_k,
           n.clues_per_inspection AS n_r,
           r.* EXCLUDE (scope_code, scope_name, period),
           s.* EXCLUDE (scope_code, scope_name, period)
    FROM rpt_clue_yield_ratio AS r
    JOIN rpt_clue_yield AS x
      ON x.scope_code = r.scope_code AND x.period = r.period AND x.inspection_group = '交叉'
    JOIN rpt_clue_yield AS n
      ON n.scope_code = r.scope_code AND n.period = r.period AND n.inspection_group = '非交叉'
    LEFT JOIN rpt_clue_yield_stratified AS s
      ON s.scope_code = r.scope_code AND s.period = r.period
"""
CITY = "coalesce((SELECT region_name FROM dim_region WHERE region_code = {col}), {col})"
SPECS: dict[str, list[TableSpec]] = {
    "总体情况": [TableSpec("地区", "SELECT * FROM rpt_overview", periodic=True)],
    "成效": [TableSpec("地区", "SELECT * FROM rpt_outcomes", periodic=True)],
    "交叉巡察成效对比": [TableSpec("地区", CROSS_SQL, periodic=True)],
    "整改进展": [
        TableSpec("地区", "SELECT * FROM rpt_rectification_ageing", periodic=True),
        TableSpec("序号", "SELECT * FROM rpt_overdue_problems"),
    ],
    "督办清单": [
        TableSpec(
            "序号",
            f"SELECT u.*, {CITY.format(col='u.city_code')} AS city_name FROM "
            "rpt_rectification_by_unit AS u",
            occurrence=0,
        ),
        TableSpec(
            "序号",
            f"SELECT u.*, {CITY.format(col='u.city_code')} AS city_name FROM "
            "rpt_rectification_by_unit AS u",
            occurrence=1,
        ),
    ],
    "共性问题": [
        TableSpec("地区", "SELECT * FROM rpt_common_problem_followup", periodic=True),
        TableSpec("下发单位", "SELECT * FROM rpt_common_problems"),
        TableSpec(
            "序号",
            f"SELECT o.*, {CITY.format(col='o.reporting_office_code')} AS office "
            "FROM fct_common_problem_obligation AS o WHERE o.is_overdue_unanswered",
        ),
    ],
    "回头看": [
        TableSpec("地区", "SELECT * FROM rpt_recurrence", periodic=True),
        TableSpec("所属地区", "SELECT * FROM rpt_recurrence_items"),
    ],
    "线索处置": [TableSpec("地区", "SELECT * FROM rpt_overview", periodic=True)],
    "上下联动": [TableSpec("部署编号", "SELECT * FROM rpt_deployment")],
    "成果联动": [TableSpec("联动类型", "SELECT * FROM rpt_linkage")],
    "数据质量说明": [
        TableSpec("报送单位", "SELECT * FROM rpt_intake_by_submitter", occurrence=0),
        TableSpec("区划", "SELECT * FROM rpt_submission_completeness"),
        TableSpec(
            "报送单位",
            f"SELECT r.*, {CITY.format(col='r.submitter_code')} AS s, "
            f"{CITY.format(col='r.region_code')} AS g FROM rpt_reconciliation AS r",
            occurrence=2,
        ),
    ],
}


@dataclass
class Row:
    section: str | None
    cells: dict[str, Any]  # header key -> value


@dataclass
class Table:
    first_label: str
    rows: list[Row]


def _blank(row: list[Any]) -> bool:
    return all(c in ("", None) for c in row)


def _header_keys(parent: list[Any], child: list[Any]) -> list[str | None]:
    keys: list[str | None] = []
    group: str | None = None
    for p, c in zip(parent, child, strict=False):
        p, c = str(p or ""), str(c or "")
        if p and c:
            group = p
            keys.append(f"{p}/{c}")
        elif p:
            group = None
            keys.append(p)
        elif c:
            keys.append(f"{group}/{c}" if group else c)
        else:
            keys.append(None)  # the merged continuation of a wide column
    return keys


def read_tables(sheet_rows: list[list[Any]], first_labels: set[str]) -> list[Table]:
    """Every table on a sheet whose first header cell is one of `first_labels`."""
    tables: list[Table] = []
    i = 0
    while i < len(sheet_rows) - 1:
        row = sheet_rows[i]
        if str(row[0]) in first_labels and not _blank(row[1:]):
            keys = _header_keys(row, sheet_rows[i + 1])
            table = Table(str(row[0]), [])
            section: str | None = None
            i += 2
            while i < len(sheet_rows) and not _blank(sheet_rows[i]):
                cur = sheet_rows[i]
                if _blank(cur[1:]):  # a grey section row, or the "无…" line of an empty table
                    section = str(cur[0])
                else:
                    table.rows.append(
                        Row(section, {k: v for k, v in zip(keys, cur, strict=False) if k})
                    )
                i += 1
            tables.append(table)
        i += 1
    return tables


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _as_date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return None


def _found(row: Row, values: list[Any], aliases: dict[str, str]) -> bool:
    """Every number and date of the sheet row is a value of the published row, and one
    of its texts is too (texts of layout, like 小计 or 省级, may be absent)."""
    numbers = [v for v in values if _is_number(v)]
    dates = {d for v in values if (d := _as_date(v))}
    texts = {str(v) for v in values if isinstance(v, str)}
    texts |= {f"{v}级" for v in values if isinstance(v, str)}
    key_seen = False
    for key, cell in row.cells.items():
        if key in NOT_FIGURES or cell in ("", None, NULL_TEXT):
            continue
        if _as_date(cell):
            if _as_date(cell) not in dates:
                return False
        elif _is_number(cell):
            if not any(_close(cell, n) for n in numbers):
                return False
        elif aliases.get(str(cell), str(cell)) in texts:
            key_seen = True
    return key_seen


def _yoy_candidates(now: list[Any], before: list[Any]) -> list[float]:
    out: list[float] = []
    for a, b in zip(now, before, strict=True):
        if _is_number(a) and _is_number(b):
            out += [a - b, (a - b) * 100]
            if b:
                out.append((a - b) / b)
    return out


@dataclass
class Verdict:
    checked: int
    missing: list[str]


def verify_workbook(xlsx: Path, published: Path, year: int) -> Verdict:
    """Check every figure of every sheet in SPECS; return what was checked and what is missing."""
    book = CalamineWorkbook.from_path(str(xlsx))
    con = duckdb.connect(str(published), read_only=True)
    checked, missing = 0, []
    try:
        (province,) = con.execute(
            "SELECT region_name FROM dim_region WHERE region_level = '省'"
        ).fetchone()
        aliases = {"全省合计": province, "省本级": "省本级"}
        for sheet, specs in SPECS.items():
            rows = book.get_sheet_by_name(sheet).to_python()
            tables = read_tables(rows, {s.first_label for s in specs})
            for spec in specs:
                same = [t for t in tables if t.first_label == spec.first_label]
                assert len(same) > spec.occurrence, f"{sheet}: no table {spec.first_label}"
                table = same[spec.occurrence]
                try:
                    rel = con.sql(spec.sql)
                except duckdb.CatalogException:
                    published_rows: list[dict] = []
                else:
                    cols = rel.columns
                    published_rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
                for row in table.rows:
                    checked += 1
                    if not _row_found(spec, row, published_rows, aliases, year):
                        missing.append(f"{sheet} [{row.section}] {row.cells}")
    finally:
        con.close()
    return Verdict(checked, missing)


def _period_of(section: str | None, year: int) -> str | None:
    if section is None:
        return None
    if section.startswith(f"{year}年度"):
        return str(year)
    if section.startswith("累计"):
        return "全部"
    if section.startswith("同比"):
        return "yoy"
    return None


def _row_found(
    spec: TableSpec, row: Row, rows: list[dict], aliases: dict[str, str], year: int
) -> bool:
    if not spec.periodic:
        return any(_found(row, list(p.values()), aliases) for p in rows)
    period = _period_of(row.section, year)
    if period != "yoy":
        return any(_found(row, list(p.values()), aliases) for p in rows if p["period"] == period)
    # 同比: the two published rows of the same scope, this year and last year.
    label = next(iter(row.cells.values()))
    label = aliases.get(str(label), str(label))
    now = [p for p in rows if p["period"] == str(year) and p.get("scope_name") == label]
    before = {
        (p["scope_code"], p.get("scope_kind")): p
        for p in rows
        if p["period"] == str(year - 1) and p.get("scope_name") == label
    }
    for p in now:
        b = before.get((p["scope_code"], p.get("scope_kind")))
        if b is None:
            continue
        candidates = _yoy_candidates(list(p.values()), list(b.values()))
        if all(
            any(_close(cell, c) for c in candidates)
            for key, cell in row.cells.items()
            if _is_number(cell) and key not in NOT_FIGURES
        ):
            return True
    return False
