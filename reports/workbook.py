"""The print-ready statistics workbook leaders receive: 巡视巡察工作统计表_<year>.xlsx.

One sheet per question a leader asks (how much was found and fixed, does
交叉 inspection find more, what is overdue, what became of the clues, how the
linked campaigns and findings moved between levels, can the data be trusted).
Figures come from `reports.figures` only; layout from `reports.sheet`.
Year handling: sheets with a period show the selected year and, below it, the
cumulative 全部 period, because leaders compare one year with the whole term;
campaign, linkage and data-quality sheets are not split by year (footnoted).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter
from xlsxwriter.workbook import Workbook

from contract.rules import catalog
from reports import figures
from reports.context import ALL_PERIOD, ReportContext, cn_date
from reports.sheet import (
    NOTES_SHEET,
    Column,
    Formats,
    FrameRows,
    SheetBuilder,
    write_notes_sheet,
)
from reports.yoy import yoy_rows

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
SHEETS = (
    "总体情况",
    "成效",
    "交叉巡察成效对比",
    "整改进展",
    "督办清单",
    "共性问题",
    "回头看",
    "线索处置",
    "上下联动",
    "成果联动",
    "数据质量说明",
    NOTES_SHEET,
)
DISPOSAL_ORDER = ("谈话函询", "初步核实", "暂存待查", "予以了结", "立案审查调查", "待处置")

SCOPE_NOTE = (
    "按被巡察单位所在区划归属统计：县（市、区）的单位计入所属市，市直单位计入该市，"
    "省直单位计入“省本级”；全省合计 = 各市 + 省本级（发布前经质量检查 B3 核对）。"
)


Con = duckdb.DuckDBPyConnection


def _period_sections(
    ctx: ReportContext,
    rows_for: Callable[[str], list[dict]],
    columns: Sequence[Column] | None = None,
    year_note: str = "",
) -> list[tuple[str | None, list[dict]]]:
    """The selected year, its 同比 against the year before (when the data has that year and
    `columns` are given), then the cumulative 全部 period."""
    year_rows = rows_for(ctx.period)
    sections: list[tuple[str | None, list[dict]]] = [(f"{ctx.year}年度{year_note}", year_rows)]
    previous = ctx.year - 1
    if columns is not None and previous in ctx.years:
        diffs, pcts = yoy_rows(columns, year_rows, rows_for(str(previous)))
        sections += [
            (f"同比增减（{ctx.year}年较{previous}年；比率为百分点）", diffs),
            (f"同比增幅（{ctx.year}年较{previous}年，%）", pcts),
        ]
    sections.append((ctx.all_years_label, rows_for(ALL_PERIOD)))
    return sections


YOY_NOTE = (
    "同比：本年度数减上年度数（计数）及其占上年度数的百分比（上年度为0时不计算）；比率为两年度"
    "比率之差，单位为百分点。两年度数字均取自已发布数据仓库的同一张报表。"
)


def _source_note(ctx: ReportContext) -> str:
    published = f"，发布于{ctx.published_at:%Y-%m-%d %H:%M}" if ctx.published_at else ""
    published += f"，发布编号 {ctx.publication_id}" if ctx.publication_id else ""
    return f"数据来源：已发布数据仓库 published.duckdb（数据截至{ctx.as_of_text}{published}）。"


def _sheet(
    book: Workbook,
    fmt: Formats,
    ctx: ReportContext,
    name: str,
    title: str,
    ncols: int,
    period_text: str | None = None,
) -> SheetBuilder:
    """A sheet titled with the province's name (every leader sheet is the province's)."""
    return SheetBuilder(book, fmt, name, f"{ctx.province_name}{title}", ctx, ncols, period_text)


def _year_sheet(
    book: Workbook,
    fmt: Formats,
    ctx: ReportContext,
    name: str,
    title: str,
    cols: Sequence[Column],
    rows_for: Callable[[str], list[dict]],
    *,
    ncols: int | None = None,
    period_text: str | None = None,
    year_note: str = "",
    **table_options: Any,
) -> SheetBuilder:
    """A by-region sheet opened with its period table (the selected year, 同比, 全部; header
    frozen): the one layout of every sheet a leader reads by year. The caller adds what
    follows the table and its footnotes."""
    sb = _sheet(book, fmt, ctx, name, f"{title}（{ctx.year}年度）", ncols or len(cols), period_text)
    sb.table(cols, _period_sections(ctx, rows_for, cols, year_note), freeze=True, **table_options)
    return sb


def _finish(
    sb: SheetBuilder, notes: Sequence[str], *, source: str = "", yoy: str | None = None
) -> None:
    """The footnotes every sheet ends with, then its page set-up: the source line first
    (`source` names the tables when they are not the obvious one), the sheet's own notes,
    and on a sheet with 同比 (`yoy` not None) the 同比 note last, `yoy` added to it."""
    sb.footnotes(
        [_source_note(sb.ctx) + source, *notes, *([YOY_NOTE + yoy] if yoy is not None else [])]
    )
    sb.finish()


def sheet_overview(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("scope_name", "地区", "text"),
        Column("inspections", "巡视巡察\n党组织数"),
        Column("found", "发现问题数", group="发现问题及整改"),
        Column("completed", "完成整改数", group="发现问题及整改"),
        Column("completion_rate", "整改完成率", "pct", group="发现问题及整改"),
        Column("overdue", "逾期未完成", group="发现问题及整改", alert=True),
        Column("clues", "线索数", group="移交问题线索"),
        Column("county_cadre_clues", "其中县管干部", group="移交问题线索"),
        Column("cases_filed", "立案数", group="线索处置结果"),
        Column("disciplined", "处分人数", group="线索处置结果"),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "总体情况",
        "巡视巡察工作总体情况统计表",
        cols,
        lambda p: figures.overview(con, p).to_dicts(),
    )
    _finish(
        sb,
        [
            SCOPE_NOTE,
            "年度按巡视巡察进驻日期所在年度统计，问题、线索归入其所属巡视巡察的年度；"
            f"“{ctx.all_years_label}”为全部年度合计。",
            "巡视巡察党组织数 = 有效的巡视巡察安排记录数（每次巡视巡察对应一个被巡察党组织）。",
            "整改完成率 = 完成整改数 ÷ 发现问题数；逾期未完成 = 整改状态不是“已完成”且整改时限"
            f"早于{ctx.as_of_text}的问题（含长期坚持）。",
            "立案数 = 是否立案为“是”的线索数；处分人数为线索登记的党纪政务处分人数之和（未填按0计）。",
        ],
        yoy="",
    )


def sheet_cross(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [Column("scope_name", "地区", "text")]
    for p, group in (("x", "交叉巡察"), ("n", "非交叉巡察")):
        cols += [
            Column(f"{p}_inspections", "巡察次数", group=group),
            Column(f"{p}_clues", "移交线索", group=group),
            Column(f"{p}_county_cadre_clues", "其中县管干部", group=group),
            Column(f"{p}_clues_per_inspection", "平均每次移交线索", "rate", group=group),
        ]
    for key, group in (
        ("ratio_clues", "平均移交线索数之比（交叉÷非交叉）"),
        ("mh_ratio_clues", "分层调整后之比"),
        ("ratio_county_cadre_clues", "县管干部线索数之比"),
    ):
        cols += [
            Column(key, "比值（倍）", "ratio", group=group),
            Column(f"{key}_ci_low", "95%置信下限", "ratio", group=group, yoy=False),
            Column(f"{key}_ci_high", "95%置信上限", "ratio", group=group, yoy=False),
        ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "交叉巡察成效对比",
        "交叉巡察与非交叉巡察成效对比表",
        cols,
        lambda p: figures.clue_yield_comparison(con, p).to_dicts(),
        repeat_header=True,
    )
    _finish(
        sb,
        [
            "比较口径（报送规范§6）：被巡察单位管理权限为“县管”的巡视巡察，不含对村（社区）巡察；"
            "巡察方式含“交叉”的为交叉巡察，其余为非交叉巡察；未移交线索的巡察也计入巡察次数。",
            "平均每次移交线索 = 移交线索数 ÷ 巡察次数；比值 = 交叉巡察平均数 ÷ 非交叉巡察平均数，"
            "县管干部线索数之比同理。",
            "95%置信区间按泊松率之比的对数法：exp(ln RR ± 1.96×√(1/c₁ + 1/c₀))，c₁、c₀ 分别为"
            "交叉、非交叉巡察的线索数；任一组线索数为0时不计算，显示“—”。区间包含1时，"
            "两种方式的差异在统计上不显著。",
            "分层调整后之比为 Mantel–Haenszel 估计：按市×年度分层（省本级单位自成一层），"
            "排除各市、各年度交叉巡察比重不同带来的偏差；置信区间用 Greenland–Robins 方差。",
            "省直单位不属县管，不进入本表比较口径，故不单列省本级；全省合计行即全省口径。",
        ],
        yoy="置信区间不计算同比。",
    )


def sheet_rectification(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    group = "未完成整改问题的整改时限"
    cols = [
        Column("scope_name", "地区", "text"),
        Column("found", "发现问题数"),
        Column("completed", "已完成", group="整改状态"),
        Column("in_progress", "整改中", group="整改状态"),
        Column("not_started", "未整改", group="整改状态"),
        Column("long_term", "长期坚持", group="整改状态"),
        Column("completion_rate", "整改完成率", "pct"),
        Column("overdue", "已逾期", group=group, fill="red", alert=True),
        Column("due_soon", "10日内到期", group=group, fill="yellow"),
        Column("due_later", "10日后到期", group=group, fill="green"),
        Column("no_deadline", "未设时限", group=group),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "整改进展",
        "巡视巡察发现问题整改进展情况表",
        cols,
        lambda p: figures.rectification(con, p).to_dicts(),
    )
    detail = [
        Column("n", "序号"),
        Column("city_name", "所属地区", "text"),
        Column("unit_name", "被巡察单位", "text", span=2),
        Column("organiser_name", "组织单位", "text"),
        Column("problem_code", "问题编号", "text"),
        Column("problem_category", "问题类别", "text"),
        Column("status", "整改状态", "text"),
        Column("entry_year", "进驻年度", "year"),
        Column("deadline", "整改时限", "date"),
        Column("days_overdue", "逾期天数", alert=True),
    ]
    # only the columns shown (~195k rows at scale 10), numbered in polars, read a slice at a time
    overdue = figures.overdue_problems(con, [c.key for c in detail[1:]])
    sb.caption(f"逾期未完成整改问题清单（全部年度，共{overdue.height}个，按逾期天数从多到少排列）")
    sb.table(detail, [(None, _numbered(overdue))], empty_text="无逾期未完成整改的问题")
    del overdue
    _finish(
        sb,
        [
            SCOPE_NOTE,
            "年度按所属巡视巡察的进驻日期统计；整改完成率 = 已完成 ÷ 发现问题数。",
            f"整改时限以{ctx.as_of_text}为基准：红色“已逾期”= 整改状态不是“已完成”且整改时限早于"
            "该日（含长期坚持）；黄色“10日内到期”= 时限在该日起10日内（含第10日）；"
            "绿色“10日后到期”= 时限更晚；“未设时限”= 未填整改时限。四项之和等于未完成整改的问题数。",
            "逾期问题清单列出全部年度的逾期问题（已发布仓库 rpt_overdue_problems），供督办使用；"
            "问题描述等明细见 fct_problem。",
        ],
        yoy="",
    )


def _disposal_order(found: list[str]) -> list[str]:
    known = [c for c in DISPOSAL_ORDER if c in found]
    return known + [c for c in found if c not in known]


def sheet_clues(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    disposals = _disposal_order(list(figures.DISPOSAL_COLUMNS))
    cols = [Column("scope_name", "地区", "text"), Column("transferred", "移交问题线索")]
    cols += [Column(c, c, group="处置方式") for c in disposals]
    cols += [
        Column("cases_filed", "立案数", group="立案"),
        Column("case_rate", "立案率", "pct", group="立案"),
        Column("disciplined", "处分人数"),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "线索处置",
        "巡视巡察移交问题线索处置情况表",
        cols,
        lambda p: figures.clue_disposal(con, p)[0].to_dicts(),
    )
    _finish(
        sb,
        [
            SCOPE_NOTE,
            "线索归入其所属巡视巡察的进驻年度；处置方式按线索登记的当前处置方式统计，"
            "未填写的计为“待处置”。",
            "立案数 = 是否立案为“是”的线索数；立案率 = 立案数 ÷ 移交问题线索数；"
            "处分人数为党纪政务处分人数之和（未填按0计）。",
        ],
        yoy="",
    )


def sheet_deployment(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("deployment_code", "部署编号", "text"),
        Column("deployment_name", "部署名称", "text"),
        Column("start_date", "启动日期", "date"),
        Column("planned_targets", "计划对象数"),
        Column("level", "组织层级", "text"),
        Column("organisers", "组织单位数"),
        Column("teams", "巡视巡察组数"),
        Column("inspections", "巡视巡察对象数"),
        Column("problems", "发现问题数"),
        Column("clues", "移交线索数"),
    ]
    sb = _sheet(
        book,
        fmt,
        ctx,
        "上下联动",
        "上下联动专项巡视巡察落实情况表",
        len(cols),
        "统计范围：全部联动部署（不分年度）",
    )
    df = figures.deployments(con)
    sections: list[tuple[str | None, list[dict]]] = []
    for code in df["deployment_code"].unique(maintain_order=True).to_list():
        part = df.filter(pl.col("deployment_code") == code)
        rows = [r | {"level": f"{r['level']}级"} for r in part.to_dicts()]
        sections.append((None, rows))
    vmerge = ["deployment_code", "deployment_name", "start_date", "planned_targets"]
    sb.table(cols, sections, freeze=True, vmerge=vmerge, empty_text="无联动部署")
    _finish(
        sb,
        [
            "按联动部署（T6）逐项列示，不按年度筛选：一项部署的巡视巡察可能跨年度。",
            "组织层级为组织巡视巡察的机构层级（省委巡视、市委巡察、县委巡察）；各项按填写了该"
            "部署编号的有效巡视巡察统计，发现问题数、移交线索数为这些巡视巡察的问题和线索。",
            "计划对象数为部署的整体计划数，合并显示，不按层级相加。",
        ],
    )


def sheet_linkage(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("link_type", "联动类型", "text"),
        Column("direction", "方向", "text"),
        Column("links", "联动事项数"),
        Column("adopted", "已采纳", group="采纳情况"),
        Column("not_adopted", "未采纳", group="采纳情况"),
        Column("in_progress", "办理中", group="采纳情况"),
        Column("adoption_not_reported", "未填报", group="采纳情况"),
        Column("adoption_rate", "采纳率", "pct"),
        Column("missing_source_problem", "来源问题不存在", group="问题编号核对", alert=True),
        Column("missing_target_problem", "接收问题不存在", group="问题编号核对", alert=True),
    ]
    sb = _sheet(
        book,
        fmt,
        ctx,
        "成果联动",
        "巡视巡察成果联动情况表",
        len(cols),
        "统计范围：全部登记的成果联动事项（不分年度）",
    )
    df = figures.linkages(con)
    rows: list[dict] = []
    for link_type in df["link_type"].unique(maintain_order=True).to_list():
        part = [r for r in df.filter(pl.col("link_type") == link_type).to_dicts() if r["links"]]
        rows += part or [
            {"link_type": link_type, "direction": "—"}
            | {c: 0 for c in df.columns[2:]}
            | {"adoption_rate": None}
        ]
    sb.table(cols, [(None, rows)], freeze=True, vmerge=["link_type"])
    _finish(
        sb,
        [
            "按成果联动登记表（T5）全部登记事项统计，不按年度筛选（登记日期常在巡视巡察次年）。",
            "方向由来源单位与接收单位的区划层级决定：向上（下级报上级）、向下（上级交下级）、同级。",
            "采纳率 = 已采纳 ÷ 联动事项数（未填采纳情况的计入分母）；没有事项的方向不列示。",
            "问题编号核对（提示性检查 W3）：登记的来源或接收问题编号在对应机构的问题台账中不存在，"
            "需请报送单位核实。",
        ],
    )


CITY_SCOPE_NOTE = (
    "按单位所在区划归属统计：县（市、区）和市直单位计入所属市；全省合计含省直单位（省本级），"
    "故各市之和可小于全省合计；全省合计 = 各市 + 省本级单位（发布前经质量检查 B3 核对）。"
)


def sheet_outcomes(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("scope_name", "地区", "text"),
        Column("inspections", "巡视巡察\n党组织数"),
        Column("problems_found", "发现问题数"),
        Column("immediate", "立行立改问题", group="立行立改"),
        Column("immediate_livelihood", "其中民生问题", group="立行立改"),
        Column("immediate_completed", "已整改完成", group="立行立改"),
        Column("common_flagged", "共性问题数"),
        Column("recovered_loss_10k", "挽回经济损失\n（万元）", "money"),
        Column("institutions", "建立完善制度\n（项）"),
        Column("clues", "移交问题线索", group="问题线索处置"),
        Column("cases_filed", "立案数", group="问题线索处置"),
        Column("punished", "处分人数", group="问题线索处置"),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "成效",
        "巡视巡察工作成效统计表",
        cols,
        lambda p: figures.outcomes(con, p).to_dicts(),
        empty_text="本次发布的数据中没有成效统计表（rpt_outcomes）",
    )
    _finish(
        sb,
        [
            CITY_SCOPE_NOTE,
            "年度按巡视巡察进驻日期所在年度统计，问题、线索归入其所属巡视巡察的年度。",
            "立行立改问题 = 问题台账“是否立行立改”为“是”的问题；其中民生问题 = 问题类别为"
            "“群众身边问题”的立行立改问题；已整改完成 = 其中整改状态为“已完成”的。",
            "共性问题数 = 问题台账“是否共性问题”为“是”的问题；挽回经济损失、建立完善制度为问题台账"
            "所填数之和（未填按0计）。",
            "立案数 = 是否立案为“是”的线索数；处分人数为线索登记的党纪政务处分人数之和（未填按0计）。",
        ],
        source="本表取自 rpt_outcomes。",
        yoy="",
    )


SUPERVISION_COLUMNS = [
    Column("n", "序号"),
    Column("city_name", "所属地区", "text"),
    Column("unit_name", "单位", "text", span=2),
    Column("found", "发现问题数"),
    Column("completed", "已完成", group="整改状态"),
    Column("in_progress", "整改中", group="整改状态"),
    Column("not_started", "未整改", group="整改状态"),
    Column("long_term", "长期坚持", group="整改状态"),
    Column("completion_rate", "整改完成率", "pct"),
    Column("overdue", "逾期未完成", alert=True),
    Column("max_overdue_days", "最长逾期天数", alert=True),
]


def _numbered(frame: pl.DataFrame) -> FrameRows:
    """The rows with their 序号 (column "n", from 1), read a slice at a time (FrameRows):
    the lists of the 整改进展, 督办清单 and 共性问题 sheets grow with the province."""
    return FrameRows(frame.with_row_index("n", offset=1))


def sheet_supervision(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    head, by_city = figures.supervision(con)
    cols = SUPERVISION_COLUMNS
    sb = _sheet(
        book,
        fmt,
        ctx,
        "督办清单",
        "巡视巡察整改督办清单",
        len(cols) + 1,
        "统计范围：全部年度的巡视巡察发现问题",
    )
    sb.caption(
        f"一、全省逾期未完成整改问题最多的{head.height}家单位（最多{figures.SUPERVISION_TOP}家）"
    )
    sb.table(
        cols,
        [(None, _numbered(head))],
        freeze=True,
        empty_text="无逾期未完成整改问题的单位",
    )
    sb.caption("二、各地督办清单（有逾期未完成整改问题的单位）")
    sections: list[tuple[str | None, Sequence[dict]]] = [
        (part["city_name"][0], _numbered(part))
        for part in (
            by_city.partition_by("city_code", maintain_order=True) if by_city.height else []
        )
    ]
    del by_city
    sb.table(cols, sections or [(None, [])], empty_text="无逾期未完成整改问题的单位")
    _finish(
        sb,
        [
            "每个被巡察单位一行，统计该单位全部年度被发现问题的整改状态；逾期未完成 = 整改状态不是"
            f"“已完成”且整改时限早于{ctx.as_of_text}的问题（含长期坚持）；最长逾期天数 = 统计截止日期"
            "减其逾期问题中最早的整改时限。",
            "排序：逾期未完成问题数从多到少；相同时整改完成率低的在前，再按单位编码。"
            "只列有逾期未完成整改问题的单位。",
            "所属地区：县（市、区）和市直单位列入所属市，省直单位列入省本级。",
        ],
        source="本表取自 rpt_rectification_by_unit。",
    )


def sheet_common(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("scope_name", "地区", "text"),
        Column("common_problems", "共性问题数"),
        Column("units_in_scope", "应自查单位", group="对照自查"),
        Column("units_reported", "已报送", group="对照自查"),
        Column("units_reported_on_time", "按时报送", group="对照自查"),
        Column("units_overdue", "逾期未报送", group="对照自查", alert=True),
        Column("coverage_rate", "自查覆盖率", "pct", group="对照自查"),
        Column("units_with_problem", "存在同类\n问题单位", group="自查结果"),
        Column("problems_found", "发现问题", group="自查结果"),
        Column("measures", "整改措施", group="自查结果"),
        Column("completed", "完成整改", group="自查结果"),
        Column("completion_rate", "整改完成率", "pct", group="自查结果"),
        Column("institutions", "完善制度", group="自查结果"),
        Column("cases", "立案", group="自查结果"),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "共性问题",
        "巡视巡察共性问题对照自查情况表",
        cols,
        lambda p: figures.common_problem_followup(con, p).to_dicts(),
        period_text=f"统计年度：{ctx.year}年（按共性问题推送日期），另列{ctx.all_years_label}",
        year_note="（按推送日期）",
        empty_text="无共性问题",
    )
    problems = figures.common_problems(con)
    sb.caption(f"共性问题清单（全部现行共性问题，共{problems.height}项）")
    detail = [
        Column("issuer_name", "下发单位", "text"),
        Column("common_problem_code", "共性问题编号", "text", span=2),
        Column("category", "问题类别", "text", span=2),
        Column("push_date", "推送日期", "date"),
        Column("deadline", "自查时限", "date"),
        Column("units_in_scope", "应自查单位"),
        Column("units_reported", "已报送"),
        Column("units_overdue", "逾期未报送", alert=True),
        Column("coverage_rate", "自查覆盖率", "pct"),
        Column("problems_found", "发现问题"),
        Column("measures", "整改措施"),
        Column("institutions", "完善制度"),
    ]
    sb.table(detail, [(None, problems.to_dicts())], empty_text="无共性问题")
    overdue = figures.self_check_overdue(con)
    sb.page_break()
    sb.caption(
        f"督查清单：自查时限已过仍未报送对照自查情况的单位（提示性检查 W4，共{overdue.height}个）"
    )
    watch = [
        Column("n", "序号"),
        Column("reporting_office_name", "责任机构", "text"),
        Column("issuer_name", "下发单位", "text"),
        Column("common_problem_code", "共性问题编号", "text", span=2),
        Column("unit_name", "应自查单位", "text", span=3),
        Column("unit_region_name", "单位所在区划", "text"),
        Column("deadline", "自查时限", "date"),
    ]
    sb.table(watch, [(None, _numbered(overdue))], empty_text="无逾期未报送的单位")
    _finish(
        sb,
        [
            "共性问题（T7）由巡视巡察机构提炼下发，其辖区内单位类别在适用范围内的每个单位都应对照"
            "自查（T8）；应自查单位按单位所在区划计入所属市和全省，年度按推送日期。",
            "按时报送 = 报送日期不晚于自查时限（未设时限的均为按时）；逾期未报送 = 自查时限早于"
            f"{ctx.as_of_text}而仍未报送；自查覆盖率 = 已报送 ÷ 应自查单位；整改完成率 = 完成整改 ÷ 发现问题。",
            "共性问题数为该地区有应自查单位的共性问题数，同一共性问题可计入多个地区，各市之和不等于全省。",
            "督查清单的责任机构为应自查单位所在区划的巡视巡察机构（负责填报该单位的对照自查表），"
            "已随退回修改清单发给该机构。",
        ],
        source="本表取自 rpt_common_problem_followup、rpt_common_problems 和 fct_common_problem_obligation。",
        yoy="",
    )


def sheet_recurrence(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    cols = [
        Column("scope_name", "地区", "text"),
        Column("lookback_inspections", "巡察“回头看”\n次数"),
        Column("with_prior", "其中有前次\n巡视巡察"),
        Column("rectified_categories", "前次已整改完成\n的问题类别"),
        Column("recurred_categories", "再次发现\n的问题类别", alert=True),
        Column("recurrence_rate", "复发率", "pct"),
    ]
    sb = _year_sheet(
        book,
        fmt,
        ctx,
        "回头看",
        "巡察“回头看”发现整改不到位情况表",
        cols,
        lambda p: figures.recurrence(con, p).to_dicts(),
        ncols=9,
        empty_text="无巡察“回头看”",
    )
    items = figures.recurrence_items(con)
    sb.caption(f"疑似整改不到位清单（全部年度，共{items.height}项）")
    detail = [
        Column("city_name", "所属地区", "text"),
        Column("unit_name", "被巡察单位", "text"),
        Column("category", "问题类别", "text"),
        Column("prior_inspection_key", "前次巡视巡察", "text", group="前次（已整改完成）"),
        Column("prior_entry_date", "进驻日期", "date", group="前次（已整改完成）"),
        Column("prior_problems", "该类问题数", group="前次（已整改完成）"),
        Column("lookback_inspection_key", "“回头看”", "text", group="巡察“回头看”"),
        Column("lookback_entry_date", "进驻日期", "date", group="巡察“回头看”"),
        Column("lookback_problems", "再次发现问题数", group="巡察“回头看”", alert=True),
    ]
    sb.table(detail, [(None, items.to_dicts())], empty_text="无疑似整改不到位的问题类别")
    _finish(
        sb,
        [
            CITY_SCOPE_NOTE,
            "巡察方式含“回头看”的每次巡视巡察，与同一单位此前最近一次有效巡视巡察（任何组织单位）比较："
            "前次某类问题全部整改完成的，为“前次已整改完成的问题类别”；“回头看”又发现该类问题的，"
            "为“再次发现的问题类别”，即疑似整改不到位；复发率 = 再次发现 ÷ 前次已整改完成。",
            "巡视巡察以“组织单位区划代码|届次|轮次|单位编码”标识；年度按“回头看”的进驻日期。",
        ],
        source="本表取自 rpt_recurrence 和 rpt_recurrence_items。",
        yoy="",
    )


def _file_folder(path: str) -> str:
    parts = Path(path).parts
    return parts[0] if len(parts) > 1 else ""


def _rule_shorts(level: str) -> str:
    """“R1 单位或机构名称无法识别；R2 …”: the catalog's short wording of one level's rules."""
    return "；".join(f"{r.id} {r.short}" for r in catalog().of_level(level))


def sheet_quality(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    intake, rules = figures.intake_by_submitter(con)
    ncols = 5 + len(rules)
    sb = _sheet(
        book,
        fmt,
        ctx,
        "数据质量说明",
        "巡视巡察数据质量说明",
        max(ncols, 7),
        "统计范围：本次发布所依据的全部报送文件",
    )
    gate = figures.gate_summary(con)
    warnings = "；".join(
        f"{w['rule']} {w.get('description') or ''}：{w['failing']}项" for w in gate["warnings"]
    )
    status = ctx.stale_notice or "最近一次刷新已通过全部阻断性检查并发布，本表为最新数据。"
    sb.caption("一、发布与质量检查")
    sb.kv_rows(
        [
            ("数据截至", ctx.as_of_text),
            ("发布时间", f"{ctx.published_at:%Y-%m-%d %H:%M}" if ctx.published_at else "—"),
            (
                "阻断性检查",
                f"共{gate['blocking_total']}项，通过{gate['blocking_passed']}项"
                "（未全部通过的数据不会发布）",
            ),
            ("提示性检查", warnings or "无提示"),
            ("数据状态", status),
        ]
    )
    sb.caption("二、报送文件与隔离行（按报送单位）")
    cols = [
        Column("submitter_name", "报送单位", "text"),
        Column("files", "报送文件数"),
        Column("rejected", "拒收文件数", alert=True),
        Column("rows_loaded", "载入行数"),
    ]
    cols += [Column(r, r, group="隔离行数（按规则）") for r in rules]
    cols += [Column("quarantined", "隔离行数合计", alert=True)]
    sb.table(cols, [(None, intake.to_dicts())])
    sb.page_break()
    sb.caption("三、拒收文件明细")
    rejected = [
        r
        | {
            "submitter_name": r["submitter_name"]
            if r["submitter_name"] != "无法确定"
            else (
                f"未确定（文件夹：{_file_folder(r['file_path'])}）"
                if _file_folder(r["file_path"])
                else "未确定"
            ),
            "detail": f"文件：{r['file_path']}\n原因：{r['message'] or ''}",
        }
        for r in figures.rejected_files(con).to_dicts()
    ]
    sb.table(
        [
            Column("submitter_name", "报送单位", "text"),
            Column("rule", "规则", "text"),
            Column("detail", "文件及原因", "wrap", stretch=True),
        ],
        [(None, rejected)],
        empty_text="无拒收文件",
    )
    sb.caption("四、缺报情况（提示性检查 W2）")
    sb.table(
        [
            Column("region_name", "区划", "text"),
            Column("region_level", "层级", "text"),
            Column("year", "缺报年度", "year"),
        ],
        [(None, figures.missing_submissions(con).to_dicts())],
        empty_text="无：各区划在有报送的年度均已报送",
    )
    sb.caption("五、工作情况汇总表（T4）自报数与明细推算数不一致（提示性检查 W1）")
    sb.table(
        [
            Column("submitter_name", "报送单位", "text"),
            Column("region_name", "区划", "text"),
            Column("year", "年度", "year"),
            Column("metric", "指标", "text"),
            Column("reported", "自报数"),
            Column("derived", "推算数"),
            Column("difference", "差额（自报−推算）", alert=True),
        ],
        [(None, figures.reconciliation(con).to_dicts())],
        empty_text="无：自报数与明细一致",
    )
    _finish(
        sb,
        [
            f"隔离行：未通过行级规则、未进入统计的行（{_rule_shorts('row')}）。"
            "隔离明细见已发布仓库 quarantine 表。",
            f"拒收文件：整个文件未载入（{_rule_shorts('file')}）。请报送单位按原因更正后重新报送。",
            "推算数按报送规范§6由巡视巡察安排表、问题台账、线索表计算；差额只提示、不阻断发布。",
        ],
    )


def write_workbook(path: Path, con: Con, ctx: ReportContext) -> Path:
    """Write all sheets (SHEETS); the file is written beside and renamed, never left half-done."""
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
    book.set_properties(
        {
            "title": f"{ctx.province_name}巡视巡察工作统计表（{ctx.year}年度）",
            "comments": f"数据截至{cn_date(ctx.as_of)}；来源：已发布的数据仓库",
        }
    )
    fmt = Formats(book)
    with _no_cyclic_gc():
        _write_sheets(book, fmt, con, ctx)
    book.close()
    tmp.replace(path)
    return path


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the sheets are written.

    xlsxwriter keeps every cell as a tuple in a dict per row (2.1M cells for the overdue list
    at scale 10); each full collection walks all of them, so collections took ~5 of ~25 CPU-s
    of that sheet. The sheets make no reference cycles that need collecting; it is turned
    back on (as it was) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_sheets(book: Workbook, fmt: Formats, con: Con, ctx: ReportContext) -> None:
    for writer in (
        sheet_overview,
        sheet_outcomes,
        sheet_cross,
        sheet_rectification,
        sheet_supervision,
        sheet_common,
        sheet_recurrence,
        sheet_clues,
        sheet_deployment,
        sheet_linkage,
        sheet_quality,
    ):
        writer(book, fmt, con, ctx)
    write_notes_sheet(book, fmt, ctx)  # every sheet's notes, in plain Chinese


def workbook_name(year: int) -> str:
    return f"巡视巡察工作统计表_{year}.xlsx"


__all__ = ["SHEETS", "WORKBOOK_OPTIONS", "workbook_name", "write_workbook"]
