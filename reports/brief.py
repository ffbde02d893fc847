"""The one-page brief (简报_<year>.html): the sentences a leader reads, two charts, two tables.

A single self-contained HTML file: CSS and SVG inline, no script, no network
reference, so it opens and prints the same on an isolated office machine.
Every piece of text goes through `html.escape`; figures come from
`reports.figures` only, so the brief and the workbook always agree.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import duckdb

from reports import figures
from reports.charts import FONT_STACK, grouped_bars, horizontal_bars
from reports.context import ALL_PERIOD, TOTAL_LABEL, ReportContext, cn_date
from reports.yoy import change

CROSS_COLOUR = "#B22222"
NON_CROSS_COLOUR = "#4F6D9A"
RATE_COLOURS = ("#4F6D9A",)

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT_STACK}; color: #222; margin: 0; background: #f4f4f4; }}
.page {{ width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 12mm 14mm; background: #fff; }}
h1 {{ font-size: 22pt; text-align: center; color: #A40000; margin: 0 0 2mm;
      letter-spacing: 2pt; }}
.sub {{ text-align: center; font-size: 10pt; color: #555; margin: 0 0 3mm; padding-bottom: 3mm;
        border-bottom: 2px solid #A40000; }}
.stale {{ border: 2px solid #C00000; background: #FFF2CC; color: #C00000; font-weight: bold;
          padding: 3mm; margin: 3mm 0; text-align: center; font-size: 12pt; }}
h2 {{ font-size: 12.5pt; margin: 4mm 0 2mm; border-left: 4px solid #A40000; padding-left: 2mm; }}
ol.headlines {{ margin: 0; padding-left: 6mm; font-size: 11.5pt; line-height: 1.65; }}
ol.headlines li {{ margin-bottom: 1mm; }}
.charts {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }}
figure {{ margin: 0; }}
figcaption {{ font-size: 10pt; font-weight: bold; text-align: center; margin-bottom: 1mm; }}
svg {{ width: 100%; height: auto; display: block; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-bottom: 1mm; }}
th, td {{ border: 1px solid #777; padding: 1.2mm 1.5mm; text-align: right; white-space: nowrap; }}
th {{ background: #DDEBF7; text-align: center; white-space: normal; font-size: 9pt; }}
td:first-child {{ text-align: left; }}
tr.total td {{ font-weight: bold; background: #F2F2F2; }}
td.alert {{ color: #C00000; font-weight: bold; }}
.notes {{ font-size: 8.5pt; color: #555; line-height: 1.5; margin-top: 3mm;
          border-top: 1px solid #ccc; padding-top: 2mm; }}
.notes p {{ margin: 0 0 1mm; }}
@page {{ size: A4 portrait; margin: 10mm; }}
@media print {{
  body {{ background: #fff; }}
  .page {{ width: auto; min-height: 0; margin: 0; padding: 0; }}
  h1 {{ font-size: 18pt; }}
  h2 {{ margin: 2.5mm 0 1.5mm; font-size: 11.5pt; }}
  ol.headlines {{ font-size: 10.5pt; line-height: 1.5; }}
  svg {{ max-height: 58mm; }}
  th, td {{ padding: 0.7mm 1.2mm; font-size: 9pt; }}
  .notes {{ font-size: 8pt; margin-top: 2mm; }}
  figure, table {{ break-inside: avoid; page-break-inside: avoid; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(v: float | int | None, digits: int = 0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def ratio_sentence(row: dict, prefix: str) -> str:
    """交叉巡察平均移交问题线索数是非交叉方式的1.9倍（95%置信区间1.6–2.2）, with significance."""
    r, lo, hi = (
        row.get("ratio_clues"),
        row.get("ratio_clues_ci_low"),
        row.get("ratio_clues_ci_high"),
    )
    if r is None:
        return f"{prefix}交叉巡察或非交叉巡察移交线索数为0，暂不能计算两者之比。"
    text = f"{prefix}交叉巡察平均移交问题线索数是非交叉方式的{r:.1f}倍"
    if lo is not None and hi is not None:
        text += f"（95%置信区间{lo:.1f}–{hi:.1f}）"
        text += "，差异具有统计显著性" if lo > 1 or hi < 1 else "，区间包含1，差异尚不显著"
    mh = row.get("mh_ratio_clues")
    if mh is not None:
        text += f"；按市和年度分层调整后为{mh:.1f}倍"
    return text + "。"


def rectification_sentence(row: dict, prefix: str) -> str:
    return (
        f"{prefix}共发现问题{row.get('found', 0)}个，完成整改{row.get('completed', 0)}个，"
        f"完成率{_pct(row.get('completion_rate'))}；逾期未完成整改{row.get('overdue', 0)}个。"
    )


def _money(v: float | None) -> str:
    """1013 or 51787.4: 万元 as the offices write them (no trailing .0, no separators)."""
    if v is None:
        return "—"
    text = f"{v:.1f}"
    return text.removesuffix(".0")


def yoy_count(label: str, unit: str, now: float | None, before: float | None) -> str:
    """发现问题增加44个（增长8.7%） — a count's 同比 from two published figures."""
    diff, pct = change("int", now, before)
    if diff is None:
        return ""
    if diff == 0:
        return f"{label}持平"
    word, rate = ("增加", "增长") if diff > 0 else ("减少", "下降")
    amount = _money(abs(diff)) if unit == "万元" else f"{abs(diff):,.0f}"
    tail = f"（{rate}{abs(pct) * 100:.1f}%）" if pct is not None else ""
    return f"{label}{word}{amount}{unit}{tail}"


def yoy_rate(label: str, now: float | None, before: float | None) -> str:
    """完成率下降8.6个百分点 — a rate's 同比 in percentage points."""
    diff, _ = change("pct", now, before)
    if diff is None:
        return ""
    if abs(diff) < 0.05:
        return f"{label}持平"
    return f"{label}{'提高' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def _yoy_sentence(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    return f"与上年度相比，{'，'.join(parts)}。" if parts else ""


def _total(rows: list[dict]) -> dict | None:
    return next((r for r in rows if r.get("row_kind") == "total"), None)


def _previous_total(ctx: ReportContext, rows_for) -> dict | None:  # type: ignore[no-untyped-def]
    """The province row of the year before, when the data has that year."""
    if ctx.year - 1 not in ctx.years:
        return None
    return _total(rows_for(str(ctx.year - 1)).to_dicts())


def overview_lines(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> list[str]:
    year = f"{ctx.year}年度，"
    ov = figures.overview(con, ctx.period).to_dicts()
    total = _total(ov) or {}
    before = _previous_total(ctx, lambda p: figures.overview(con, p)) or {}
    yoy = _yoy_sentence(
        [
            yoy_count(
                "巡视巡察党组织数", "个", total.get("inspections"), before.get("inspections")
            ),
            yoy_count("发现问题", "个", total.get("found"), before.get("found")),
            yoy_count("完成整改", "个", total.get("completed"), before.get("completed")),
            yoy_rate("整改完成率", total.get("completion_rate"), before.get("completion_rate")),
            yoy_count("逾期未完成整改", "个", total.get("overdue"), before.get("overdue")),
        ]
    )
    lines = [
        f"{year}全省对{total.get('inspections', 0)}个党组织开展巡视巡察，"
        + rectification_sentence(total, "")
        + yoy
    ]
    cities = [r for r in ov if r["row_kind"] == "city" and r["completion_rate"] is not None]
    if len(cities) > 1:
        best = max(cities, key=lambda r: r["completion_rate"])
        worst = min(cities, key=lambda r: r["completion_rate"])
        lines.append(
            f"各市中整改完成率最高的是{best['scope_name']}（{_pct(best['completion_rate'])}），"
            f"最低的是{worst['scope_name']}（{_pct(worst['completion_rate'])}）。"
        )
    return lines


def outcome_line(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str | None:
    """移交立行立改问题164件，其中民生问题121件，已全部整改完成；挽回经济损失1013万元 …"""
    o = _total(figures.outcomes(con, ctx.period).to_dicts())
    if o is None:
        return None
    before = _previous_total(ctx, lambda p: figures.outcomes(con, p)) or {}
    done = (
        "已全部整改完成"
        if o["immediate"] and o["immediate_completed"] == o["immediate"]
        else f"已整改完成{o['immediate_completed']}件"
    )
    text = (
        f"{ctx.year}年度，巡视巡察移交立行立改问题{o['immediate']}件，其中民生问题"
        f"{o['immediate_livelihood']}件，{done}；挽回经济损失{_money(o['recovered_loss_10k'])}万元，"
        f"建立健全制度{o['institutions']}项；问题线索立案{o['cases_filed']}件，"
        f"给予党纪政务处分{o['punished']}人。"
    )
    return text + _yoy_sentence(
        [
            yoy_count("立行立改问题", "件", o["immediate"], before.get("immediate")),
            yoy_count(
                "其中民生问题",
                "件",
                o["immediate_livelihood"],
                before.get("immediate_livelihood"),
            ),
            yoy_count(
                "挽回经济损失", "万元", o["recovered_loss_10k"], before.get("recovered_loss_10k")
            ),
            yoy_count("建立健全制度", "项", o["institutions"], before.get("institutions")),
            yoy_count("立案", "件", o["cases_filed"], before.get("cases_filed")),
            yoy_count("处分", "人", o["punished"], before.get("punished")),
        ]
    )


def common_problem_line(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str | None:
    """提炼形成共性问题20项…推动…对照自查发现相关问题429个，制定整改措施702项，推动完善制度112项."""
    period, label = ctx.period, f"{ctx.year}年度（按推送日期）"
    c = _total(figures.common_problem_followup(con, period).to_dicts())
    if c is None or not c["common_problems"]:
        period, label = ALL_PERIOD, f"{ctx.all_years_label}"
        c = _total(figures.common_problem_followup(con, period).to_dicts())
    if c is None or not c["common_problems"]:
        return None
    overdue = (
        f"{c['units_overdue']}家单位超过自查时限仍未报送，已列入督查清单"
        if c["units_overdue"]
        else "无逾期未报送的单位"
    )
    b = (
        _previous_total(ctx, lambda p: figures.common_problem_followup(con, p))
        if period == ctx.period
        else None
    ) or {}
    yoy = _yoy_sentence(
        [
            yoy_count("共性问题", "项", c["common_problems"], b.get("common_problems")),
            yoy_count("对照自查单位", "家", c["units_reported"], b.get("units_reported")),
            yoy_rate("覆盖率", c["coverage_rate"], b.get("coverage_rate")),
            yoy_count("发现相关问题", "个", c["problems_found"], b.get("problems_found")),
            yoy_count("整改措施", "项", c["measures"], b.get("measures")),
            yoy_count("完善制度", "项", c["institutions"], b.get("institutions")),
        ]
    )
    return (
        f"{label}，提炼形成共性问题{c['common_problems']}项，推动{c['units_reported']}家单位"
        f"对照自查（应自查{c['units_in_scope']}家，覆盖率{_pct(c['coverage_rate'])}），"
        f"发现相关问题{c['problems_found']}个，制定整改措施{c['measures']}项，"
        f"推动完善制度{c['institutions']}项，立案{c['cases']}件；{overdue}。{yoy}"
    )


def recurrence_line(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str | None:
    """巡察“回头看”: rectified categories found again = 疑似整改不到位."""
    r = _total(figures.recurrence(con, ctx.period).to_dicts())
    if r is None or not r["lookback_inspections"]:
        return None
    text = f"{ctx.year}年度，开展巡察“回头看”{r['lookback_inspections']}次，"
    if not r["with_prior"]:
        return text + "均无此前的巡视巡察可对照。"
    rate = f"（复发率{_pct(r['recurrence_rate'])}）" if r["recurrence_rate"] is not None else ""
    b = _previous_total(ctx, lambda p: figures.recurrence(con, p)) or {}
    yoy = _yoy_sentence(
        [
            yoy_count("“回头看”", "次", r["lookback_inspections"], b.get("lookback_inspections")),
            yoy_count(
                "再次发现的问题类别",
                "类",
                r["recurred_categories"],
                b.get("recurred_categories"),
            ),
            yoy_rate("复发率", r["recurrence_rate"], b.get("recurrence_rate")),
        ]
    )
    return (
        text + f"其中{r['with_prior']}次可与前次巡视巡察对照：前次已全部整改完成的"
        f"{r['rectified_categories']}类问题中，{r['recurred_categories']}类再次发现{rate}，"
        f"列为疑似整改不到位。{yoy}"
    )


def supervision_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """重点选取整改进度慢…等N家单位 — the 督办清单's head."""
    head, _ = figures.supervision(con)
    if not head.height:
        return None
    first = head.row(0, named=True)
    return (
        f"重点选取逾期未完成整改问题多、整改进度慢的{head.height}家单位列入督办清单，"
        f"其中{first['unit_name']}逾期未完成整改问题{first['overdue']}个，"
        f"整改完成率{_pct(first['completion_rate'])}，最长逾期{first['max_overdue_days']}天。"
    )


def headlines(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> list[str]:
    year = f"{ctx.year}年度，"
    lines = overview_lines(con, ctx)
    lines += [
        line
        for line in (
            outcome_line(con, ctx),
            common_problem_line(con, ctx),
            recurrence_line(con, ctx),
            supervision_line(con),
        )
        if line
    ]
    cross = figures.clue_yield_comparison(con, ctx.period).to_dicts()
    prov = next(r for r in cross if r["row_kind"] == "total")
    lines.append(ratio_sentence(prov, year))
    cross_all = figures.clue_yield_comparison(con, ALL_PERIOD).to_dicts()
    prov_all = next(r for r in cross_all if r["row_kind"] == "total")
    lines.append(ratio_sentence(prov_all, f"{ctx.all_years_label}，"))
    total = _total(figures.overview(con, ctx.period).to_dicts()) or {}
    b = _previous_total(ctx, lambda p: figures.overview(con, p)) or {}
    lines.append(
        f"{year}移交问题线索{total.get('clues')}件，其中涉及县管干部"
        f"{total.get('county_cadre_clues')}件；已立案{total.get('cases_filed')}件，"
        f"给予党纪政务处分{total.get('disciplined')}人。"
        + _yoy_sentence(
            [
                yoy_count("移交问题线索", "件", total.get("clues"), b.get("clues")),
                yoy_count(
                    "县管干部线索",
                    "件",
                    total.get("county_cadre_clues"),
                    b.get("county_cadre_clues"),
                ),
                yoy_count("立案", "件", total.get("cases_filed"), b.get("cases_filed")),
                yoy_count("处分", "人", total.get("disciplined"), b.get("disciplined")),
            ]
        )
    )
    lines.append(intake_line(con))
    return lines


def intake_line(con: duckdb.DuckDBPyConnection) -> str:
    intake, _ = figures.intake_by_submitter(con)
    total = _total(intake.to_dicts()) or {}
    mismatches = figures.reconciliation(con).height
    return (
        f"本次发布共收到报送文件{total.get('files', 0)}个，拒收{total.get('rejected', 0)}个，"
        f"隔离数据{total.get('quarantined', 0)}行；自报数与明细不一致{mismatches}处"
        "（详见统计表“数据质量说明”）。"
    )


def _table(headers: list[str], rows: list[tuple[list[str], str]], alert_cols: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for cells, kind in rows:
        tds = []
        for i, c in enumerate(cells):
            cls = ' class="alert"' if i in alert_cols and c not in ("0", "—") else ""
            tds.append(f"<td{cls}>{escape(c)}</td>")
        body.append(f'<tr class="{escape(kind)}">{"".join(tds)}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


OVERVIEW_KEYS = (
    "inspections",
    "found",
    "completed",
    "completion_rate",
    "overdue",
    "clues",
    "county_cadre_clues",
    "cases_filed",
    "disciplined",
)


def _signed(v: float | None, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "pct":
        return f"{v:+.1f}个百分点"
    if kind == "share":
        return f"{v * 100:+.1f}%"
    return f"{v:+,.0f}"


def overview_table(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str:
    headers, rows = overview_rows(con, ctx)
    return _table(headers, rows, {5})


def overview_rows(
    con: duckdb.DuckDBPyConnection, ctx: ReportContext
) -> tuple[list[str], list[tuple[list[str], str]]]:
    """总体情况 per city, 省本级 and province; then the province's 同比 (difference and
    percentage, the completion rate in percentage points) when the year before exists.
    (headers, [(cells, row kind)]), for the HTML and the Word brief alike."""
    current = figures.overview(con, ctx.period).to_dicts()
    rows = [
        (
            [r["scope_name"]]
            + [_pct(r[k]) if k == "completion_rate" else _num(r[k]) for k in OVERVIEW_KEYS],
            r["row_kind"],
        )
        for r in current
    ]
    now = _total(current)
    before = _previous_total(ctx, lambda p: figures.overview(con, p))
    if now and before:
        diffs, pcts = [], []
        for k in OVERVIEW_KEYS:
            kind = "pct" if k == "completion_rate" else "int"
            d, pc = change(kind, now[k], before[k])
            diffs.append(_signed(d, kind))
            pcts.append("—" if kind == "pct" else _signed(pc, "share"))
        rows.append(([f"全省同比增减（较{ctx.year - 1}年）", *diffs], "yoy"))
        rows.append(([f"全省同比增幅（较{ctx.year - 1}年）", *pcts], "yoy"))
    headers = ["地区", "巡视巡察党组织数", "发现问题", "完成整改", "完成率", "逾期未完成"]
    headers += ["移交线索", "其中县管干部", "立案", "处分人数"]
    return headers, rows


def _ci(r: dict, key: str) -> str:
    lo, hi = r.get(f"{key}_ci_low"), r.get(f"{key}_ci_high")
    return "—" if lo is None or hi is None else f"{lo:.1f}–{hi:.1f}"


def cross_table(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str:
    headers, rows = cross_rows(con, ctx)
    return _table(headers, rows, set())


def cross_rows(
    con: duckdb.DuckDBPyConnection, ctx: ReportContext
) -> tuple[list[str], list[tuple[list[str], str]]]:
    """交叉巡察成效对比 per city and province: (headers, [(cells, row kind)])."""
    rows = [
        (
            [
                r["scope_name"],
                _num(r["x_inspections"]),
                _num(r["x_clues_per_inspection"], 2),
                _num(r["n_inspections"]),
                _num(r["n_clues_per_inspection"], 2),
                _num(r["ratio_clues"], 1),
                _ci(r, "ratio_clues"),
                _num(r["mh_ratio_clues"], 1),
            ],
            r["row_kind"],
        )
        for r in figures.clue_yield_comparison(con, ctx.period).to_dicts()
    ]
    headers = ["地区", "交叉巡察次数", "交叉平均线索", "非交叉巡察次数", "非交叉平均线索"]
    headers += ["比值（倍）", "95%置信区间", "分层调整后比值"]
    return headers, rows


def plain_notes(ctx: ReportContext) -> list[str]:
    """The brief's notes in plain Chinese (no file names or estimator names)."""
    published = f"，发布于{ctx.published_at:%Y-%m-%d %H:%M}" if ctx.published_at else ""
    return [
        f"数据来源：已发布的数据仓库，数据截至{ctx.as_of_text}{published}；"
        "各项数字与同日生成的《巡视巡察工作统计表》一致。",
        "统计归属：县（市、区）和市直单位计入所属市，省直单位计入省本级；年度按巡视巡察进驻日期。",
        "交叉巡察比较口径：县管单位的巡视巡察，不含对村（社区）巡察；比值 = 交叉与非交叉巡察平均"
        "每次移交线索数之比，并给出95%置信区间；分层调整后比值按市和年度分层加权计算，"
        "排除各地交叉巡察比重不同带来的偏差。",
        f"逾期：整改状态不是“已完成”且整改时限早于{ctx.as_of_text}的问题。",
    ]


def charts(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str:
    cross = figures.clue_yield_comparison(con, ctx.period).to_dicts()
    labels = [r["scope_name"].replace(TOTAL_LABEL, "全省") for r in cross]
    notes = [f"比值{r['ratio_clues']:.1f}倍" if r["ratio_clues"] else "" for r in cross]
    bars = grouped_bars(
        labels,
        [
            ("交叉巡察", CROSS_COLOUR, [r["x_clues_per_inspection"] for r in cross]),
            ("非交叉巡察", NON_CROSS_COLOUR, [r["n_clues_per_inspection"] for r in cross]),
        ],
        lambda v: f"{v:.2f}",
        notes,
        title="平均每次巡察移交问题线索数",
    )
    rect = figures.rectification(con, ctx.period).to_dicts()
    colours = [CROSS_COLOUR if r["row_kind"] == "total" else NON_CROSS_COLOUR for r in rect]
    rates = horizontal_bars(
        [r["scope_name"] for r in rect],
        [r["completion_rate"] for r in rect],
        _pct_axis,
        colours,
        title="整改完成率",
    )
    return (
        '<section class="charts">'
        f"<figure><figcaption>{escape(f'{ctx.year}年度平均每次巡察移交问题线索数（县管单位）')}"
        f"</figcaption>{bars}</figure>"
        f"<figure><figcaption>{escape(f'{ctx.year}年度各地整改完成率')}</figcaption>{rates}</figure>"
        "</section>"
    )


def _pct_axis(v: float) -> str:
    return f"{v * 100:.0f}%" if abs(v * 100 - round(v * 100)) < 1e-9 else f"{v * 100:.1f}%"


def render_brief(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> str:
    title = f"{ctx.province_name}巡视巡察工作简报"
    published = f"，发布于{ctx.published_at:%Y-%m-%d %H:%M}" if ctx.published_at else ""
    stale = f'<div class="stale">{escape(ctx.stale_notice)}</div>' if ctx.stale_notice else ""
    items = "".join(f"<li>{escape(s)}</li>" for s in headlines(con, ctx))
    notes = plain_notes(ctx)
    note_html = "".join(f"<p>{escape(n)}</p>" for n in notes)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}（{ctx.year}年度）</title><style>{CSS}</style></head>"
        '<body><main class="page">'
        f"<h1>{escape(title)}</h1>"
        f'<p class="sub">{escape(f"{ctx.year}年度 · 数据截至{cn_date(ctx.as_of)}{published}")}</p>'
        f"{stale}"
        f'<section><h2>要点</h2><ol class="headlines">{items}</ol></section>'
        f"{charts(con, ctx)}"
        f"<section><h2>{escape(f'{ctx.year}年度总体情况')}</h2>{overview_table(con, ctx)}</section>"
        f"<section><h2>{escape(f'{ctx.year}年度交叉巡察成效对比')}</h2>{cross_table(con, ctx)}"
        "</section>"
        f'<section class="notes">{note_html}</section>'
        "</main></body></html>\n"
    )


def write_brief(path: Path, con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_brief(con, ctx), encoding="utf-8")
    tmp.replace(path)
    return path


def brief_name(year: int) -> str:
    return f"简报_{year}.html"
