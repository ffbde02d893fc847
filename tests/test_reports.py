"""Leader reports (issue 5): real refresh of the acceptance corpus, real files, no mocks.

The corpus is copied and one registry unit is renamed to a formula-like text
(its old name kept as an alias, so every reference still resolves): the
workbook must show it as text, never as a formula.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from home import Home
from orchestration.cli import main
from orchestration.refresh import run_refresh
from reports.generate import (
    StaleDataError,
    convert_to_pdf,
    generate_reports,
    office_binary,
)
from reports.workbook import SHEETS
from tests.conftest import RefreshRun
from tests.outputs import query_rows
from tests.workbook_figures import verify_workbook

ACCEPTANCE = Path("/work/shared/acceptance")
AS_OF = date(2025, 3, 15)
YEAR = 2024
UNIT_CODE = "390221025"  # has overdue problems in the corpus
FORMULA_NAME = '=HYPERLINK("#","樟滩街道菱桥社区")'
WORKBOOK = f"巡视巡察工作统计表_{YEAR}.xlsx"
BRIEF = f"简报_{YEAR}.html"


def _rename_unit(inbox: Path) -> None:
    """Give one T0 unit a formula-like name, keeping the old name as an alias."""
    path = inbox / "澄岚省委巡视办" / "2023年" / "巡视巡察基础数据（区划、名录、联动部署）.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["单位名录"]
    for row in sheet.iter_rows():
        if row[0].value == UNIT_CODE:
            old = row[1].value
            row[1].value = FORMULA_NAME
            row[1].data_type = "s"  # stored as text, exactly as a submitter's cell would be
            row[2].value = f"{row[2].value}、{old}" if row[2].value else old
            break
    else:
        raise AssertionError(f"unit {UNIT_CODE} not in the corpus registry")
    book.save(path)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("reports")
    inbox = root / "inbox"
    shutil.copytree(ACCEPTANCE / "inbox", inbox)
    _rename_unit(inbox)
    home = Home.from_env(root / "home")
    outcome = run_refresh(inbox, home, AS_OF)
    assert outcome.published, outcome.errors or outcome.blocking_failures
    folder = home.reports / AS_OF.isoformat()
    written_by_asset = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    paths = generate_reports(home.root, YEAR, allow_stale=False)
    return {
        "root": root,
        "inbox": inbox,
        "home": home,
        "paths": paths,
        "asset_files": written_by_asset,
        "book": openpyxl.load_workbook(paths[0]),
    }


def published_rows(home: Home, sql: str, params: list | None = None) -> list[dict]:
    return query_rows(home.published, sql, params)


def table_end(sheet, first: int, ends: Callable[[object], bool]) -> int:  # type: ignore[no-untyped-def]
    """The first row from `first` whose column-A value `ends` the table; past the last row
    when none does."""
    rows = range(first, sheet.max_row + 1)
    return next((r for r in rows if ends(sheet.cell(r, 1).value)), sheet.max_row + 1)


def header_map(sheet) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    """(first data row, {'group/label' or 'label': column}) of the sheet's first table."""
    top = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "地区")
    cols: dict[str, int] = {}
    group = None
    for c in range(1, sheet.max_column + 1):
        parent, child = sheet.cell(top, c).value, sheet.cell(top + 1, c).value
        if parent is not None:
            group = parent
        if child is None:
            cols[str(parent)] = c
        else:
            cols[f"{group}/{child}"] = c
    return top + 2, cols


def total_rows(sheet, first: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Rows labelled 全省合计, in order: the year section, then the cumulative one."""
    return [r for r in range(first, sheet.max_row + 1) if sheet.cell(r, 1).value == "全省合计"]


def test_files_land_in_the_as_of_folder(refreshed: dict) -> None:
    xlsx, html, word = refreshed["paths"]
    assert xlsx.parent == refreshed["home"].reports / "2025-03-15" == word.parent
    assert (xlsx.name, html.name, word.name) == (WORKBOOK, BRIEF, f"简报_{YEAR}.docx")
    # The Dagster asset `leader_reports` already wrote them during the refresh.
    assert WORKBOOK in refreshed["asset_files"] and BRIEF in refreshed["asset_files"]


def test_sheets_titles_headers_and_print_setup(refreshed: dict) -> None:
    book = refreshed["book"]
    assert book.sheetnames == list(SHEETS)
    for sheet in book.worksheets:
        title = sheet.cell(1, 1).value
        assert title and title.startswith("澄岚省"), sheet.title
        assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges), sheet.title
        assert "数据截至：2025年3月15日" in sheet.cell(2, 1).value
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        notes = [
            sheet.cell(r, 1).value
            for r in range(1, sheet.max_row + 1)
            if str(sheet.cell(r, 1).value or "").startswith("注：")
        ]
        assert notes, f"{sheet.title} has no footnote"
    overview = book["总体情况"]
    assert overview.cell(1, 1).value == "澄岚省巡视巡察工作总体情况统计表（2024年度）"
    assert overview.freeze_panes == "B5"
    _, cols = header_map(overview)
    for key in (
        "巡视巡察\n党组织数",
        "发现问题及整改/发现问题数",
        "发现问题及整改/整改完成率",
        "移交问题线索/其中县管干部",
        "线索处置结果/处分人数",
    ):
        assert key in cols
    # the sheets' notes are on 口径说明 (issue 16: technical notes off the printed tables)
    cross_notes = " ".join(
        str(c.value) for row in book["口径说明"].iter_rows() for c in row if c.value
    )
    assert "县管" in cross_notes and "对村（社区）" in cross_notes and "1.96" in cross_notes


def test_overview_equals_published_tables(refreshed: dict) -> None:
    sheet = refreshed["book"]["总体情况"]
    first, cols = header_map(sheet)
    totals = total_rows(sheet, first)  # the year, its two 同比 rows, the cumulative period
    assert len(totals) == 4
    year_row, all_row = totals[0], totals[-1]
    for row, period in ((year_row, str(YEAR)), (all_row, "全部")):
        (rect,) = published_rows(
            refreshed["home"],
            "SELECT * FROM rpt_rectification WHERE scope_code = '390000' AND period = ?",
            [period],
        )
        assert sheet.cell(row, cols["发现问题及整改/发现问题数"]).value == rect["found"]
        assert sheet.cell(row, cols["发现问题及整改/完成整改数"]).value == rect["completed"]
        assert sheet.cell(row, cols["发现问题及整改/逾期未完成"]).value == rect["overdue"]
        assert sheet.cell(row, cols["发现问题及整改/整改完成率"]).value == pytest.approx(
            rect["completion_rate"], rel=1e-12
        )
        where = "" if period == "全部" else f"WHERE entry_year = {YEAR}"
        (clues,) = published_rows(
            refreshed["home"],
            f"SELECT count(*) AS n, count(*) FILTER (WHERE cadre_level = '县管干部') AS k "
            f"FROM fct_clue {where}",
        )
        assert sheet.cell(row, cols["移交问题线索/线索数"]).value == clues["n"]
        assert sheet.cell(row, cols["移交问题线索/其中县管干部"]).value == clues["k"]
    # Cities plus 省本级 add up to the province in every count column.
    for c in range(2, sheet.max_column + 1):
        if sheet.cell(first + 1, c).number_format.endswith("%"):
            continue
        parts = [sheet.cell(r, c).value for r in range(first + 1, year_row)]
        assert sum(parts) == sheet.cell(year_row, c).value


def test_cross_ratio_equals_rpt_clue_yield_ratio(refreshed: dict) -> None:
    sheet = refreshed["book"]["交叉巡察成效对比"]
    first, cols = header_map(sheet)
    group = "平均移交线索数之比（交叉÷非交叉）"
    # the table is split for print (issue 16: no shrinking below a legible size): the
    # first part ends where its 续表 begins
    end = table_end(sheet, first, lambda v: str(v).startswith("（续表"))
    totals = [r for r in total_rows(sheet, first) if r < end]
    for row, period in ((totals[0], str(YEAR)), (totals[-1], "全部")):
        (ratio,) = published_rows(
            refreshed["home"],
            "SELECT * FROM rpt_clue_yield_ratio WHERE scope_code = '390000' AND period = ?",
            [period],
        )
        # xlsxwriter stores 16 significant digits (Excel keeps 15): equal up to the last ulp.
        for label, column in (
            ("比值（倍）", "ratio_clues"),
            ("95%置信下限", "ratio_clues_ci_low"),
            ("95%置信上限", "ratio_clues_ci_high"),
        ):
            cell = sheet.cell(row, cols[f"{group}/{label}"]).value
            assert cell == pytest.approx(ratio[column], rel=1e-14), label
        assert sheet.cell(row, cols[f"{group}/比值（倍）"]).number_format == "0.0"
        yields = {
            r["inspection_group"]: r
            for r in published_rows(
                refreshed["home"],
                "SELECT * FROM rpt_clue_yield WHERE scope_code = '390000' AND period = ?",
                [period],
            )
        }
        assert sheet.cell(row, cols["交叉巡察/巡察次数"]).value == yields["交叉"]["inspections"]
        assert sheet.cell(row, cols["非交叉巡察/移交线索"]).value == yields["非交叉"]["clues"]


def test_rectification_ageing_adds_up(refreshed: dict) -> None:
    sheet = refreshed["book"]["整改进展"]
    first, cols = header_map(sheet)
    group = "未完成整改问题的整改时限"
    end = table_end(sheet, first, lambda v: v is None or str(v).startswith("同比"))
    rows = [r for r in range(first, end) if sheet.cell(r, 2).value is not None]
    assert rows
    for r in rows:
        found = sheet.cell(r, cols["发现问题数"]).value
        done = sheet.cell(r, cols["整改状态/已完成"]).value
        ages = [
            sheet.cell(r, cols[f"{group}/{k}"]).value
            for k in ("已逾期", "10日内到期", "10日后到期", "未设时限")
        ]
        assert sum(ages) == found - done
    overdue_cell = sheet.cell(total_rows(sheet, first)[0], cols[f"{group}/已逾期"])
    assert overdue_cell.fill.fgColor.rgb.endswith("F4B6B6")


def test_no_cell_is_a_formula_even_for_formula_like_names(refreshed: dict) -> None:
    home = refreshed["home"]
    names = published_rows(home, "SELECT unit_name FROM dim_org WHERE unit_code = ?", [UNIT_CODE])
    assert names == [{"unit_name": FORMULA_NAME}]
    book = refreshed["book"]
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if cell.value == FORMULA_NAME:
                    seen.append(cell)
    assert seen and all(c.data_type == "s" for c in seen)


def test_brief_is_self_contained_with_headlines(refreshed: dict) -> None:
    html = refreshed["paths"][1].read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, re.IGNORECASE)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert html.count("<svg") == 2
    assert "Noto Sans CJK SC" in html and "@media print" in html
    (ratio,) = published_rows(
        refreshed["home"],
        "SELECT * FROM rpt_clue_yield_ratio WHERE scope_code = '390000' AND period = ?",
        [str(YEAR)],
    )
    sentence = (
        f"交叉巡察平均移交问题线索数是非交叉方式的{ratio['ratio_clues']:.1f}倍"
        f"（95%置信区间{ratio['ratio_clues_ci_low']:.1f}–{ratio['ratio_clues_ci_high']:.1f}）"
    )
    assert sentence in html
    (rect,) = published_rows(
        refreshed["home"],
        "SELECT * FROM rpt_rectification WHERE scope_code = '390000' AND period = ?",
        [str(YEAR)],
    )
    assert (
        f"共发现问题{rect['found']}个，完成整改{rect['completed']}个，"
        f"完成率{rect['completion_rate'] * 100:.1f}%"
    ) in html
    assert "注意" not in html  # not stale


def test_cli_report_for_another_year_and_a_missing_year(refreshed: dict, capsys) -> None:  # type: ignore[no-untyped-def]
    home = str(refreshed["home"].root)
    assert main(["report", "--home", home, "--year", "2023"]) == 0
    folder = refreshed["home"].reports / "2025-03-15"
    assert (folder / "巡视巡察工作统计表_2023.xlsx").exists()
    assert (folder / "简报_2023.html").exists()
    assert main(["report", "--home", home, "--year", "2019"]) == 1
    assert "没有2019年度" in capsys.readouterr().err


def test_pdf_conversion_with_libreoffice(refreshed: dict) -> None:
    if office_binary() is None:
        pytest.skip("LibreOffice (libreoffice/soffice) is not installed; PDF export not tested")
    pdf = convert_to_pdf(refreshed["paths"][0])
    assert pdf.parent == refreshed["paths"][0].parent and pdf.suffix == ".pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


@pytest.mark.slow
def test_blocked_refresh_refuses_reports_unless_allowed(refreshed: dict, capsys) -> None:  # type: ignore[no-untyped-def]
    """Acceptance phase 2 (a half-empty resubmission) is blocked by B4: reports go stale."""
    root = refreshed["root"]
    home = Home.from_env(root / "stale_home")
    shutil.copytree(refreshed["home"].root, home.root)
    inbox = root / "stale_inbox"
    shutil.copytree(refreshed["inbox"], inbox)
    shutil.copytree(ACCEPTANCE / "phase2", inbox, dirs_exist_ok=True)
    outcome = run_refresh(inbox, home, date(2025, 3, 20))
    assert not outcome.published
    assert json.loads(home.state_file.read_text(encoding="utf-8"))["published"] is False

    with pytest.raises(StaleDataError):
        generate_reports(home.root, YEAR, allow_stale=False)
    assert main(["report", "--home", str(home.root)]) == 2
    assert "--allow-stale" in capsys.readouterr().err

    xlsx, html, _word = generate_reports(home.root, YEAR, allow_stale=True)
    assert xlsx.parent.name == "2025-03-15"  # still the last published data
    notice = (
        "注意：最近一次刷新（2025-03-20）未通过质量检查，本表为上次发布的数据（截至2025年3月15日）"
    )
    book = openpyxl.load_workbook(xlsx)
    for sheet in book.worksheets:
        assert sheet.cell(2, 1).value == notice, sheet.title
    assert notice in html.read_text(encoding="utf-8")


def test_every_workbook_figure_is_in_a_published_table(refreshed: dict) -> None:
    """calamine reads the workbook back; every figure of every sheet is a published one
    (同比: recomputed from the two published figures it compares)."""
    verdict = verify_workbook(refreshed["paths"][0], refreshed["home"].published, YEAR)
    assert verdict.missing == []
    assert verdict.checked > 100


def test_the_figure_check_catches_a_figure_that_is_not_published(
    refreshed: dict, tmp_path: Path
) -> None:
    """The check above is not vacuous: one changed cell (a city's 发现问题数, or its 同比)
    is reported."""
    for section_offset in (0, 6):  # the year section's first city, then its 同比增减 row
        book = openpyxl.load_workbook(refreshed["paths"][0])
        sheet = book["总体情况"]
        first, cols = header_map(sheet)
        cell = sheet.cell(first + 1 + section_offset, cols["发现问题及整改/发现问题数"])
        cell.value = cell.value + 1
        changed = tmp_path / f"changed_{section_offset}.xlsx"
        book.save(changed)
        verdict = verify_workbook(changed, refreshed["home"].published, YEAR)
        assert len(verdict.missing) == 1 and verdict.missing[0].startswith("总体情况")


@pytest.fixture(scope="module")
def v2_reports(acceptance_v2_run: RefreshRun, expected_v2: dict) -> dict:
    assert acceptance_v2_run.returncode == 0, acceptance_v2_run.stderr[-2000:]
    year = max(int(p) for p in expected_v2["periods"] if str(p).isdigit())
    xlsx, html, _word = generate_reports(acceptance_v2_run.home, year, allow_stale=False)
    return {"xlsx": xlsx, "html": html, "year": year, "run": acceptance_v2_run}


def _province(expected: dict, table: str, period: str) -> dict:
    return next(
        r
        for r in expected[table]
        if r["scope_code"] == expected["province_code"] and r["period"] == period
    )


def test_v2_workbook_figures_are_published_and_new_sheets_filled(
    v2_reports: dict, expected_v2: dict
) -> None:
    verdict = verify_workbook(v2_reports["xlsx"], v2_reports["run"].published, v2_reports["year"])
    assert verdict.missing == []
    book = CalamineWorkbook.from_path(str(v2_reports["xlsx"]))
    assert book.sheet_names == list(SHEETS)
    text = {
        name: " ".join(str(c) for row in book.get_sheet_by_name(name).to_python() for c in row)
        for name in ("成效", "督办清单", "共性问题", "回头看")
    }
    year = str(v2_reports["year"])
    out = _province(expected_v2, "rpt_outcomes", year)
    assert "立行立改问题" in text["成效"] and "挽回经济损失" in text["成效"]
    items = expected_v2["rpt_recurrence_items"]
    assert f"疑似整改不到位清单（全部年度，共{len(items)}项）" in text["回头看"]
    w4 = expected_v2["warnings"]["W4"]
    assert f"共{len(w4)}个）" in text["共性问题"]
    overdue_units = [u for u in expected_v2["rpt_rectification_by_unit"] if u["overdue"]]
    top = sorted(overdue_units, key=lambda u: (-u["overdue"], u["completion_rate"], u["unit_code"]))
    first_unit = top[0]["unit_name"]
    assert f"逾期未完成整改问题最多的{min(20, len(top))}家单位" in text["督办清单"]
    rows = book.get_sheet_by_name("督办清单").to_python()
    listed = [r[2] for r in rows if r and r[0] == 1.0]
    assert listed[0] == first_unit  # the first of the top-20 list
    assert out["immediate"] >= 0


def test_v2_brief_says_the_outcomes_in_the_seeds_phrasing(
    v2_reports: dict, expected_v2: dict
) -> None:
    html = v2_reports["html"].read_text(encoding="utf-8")
    year = str(v2_reports["year"])
    o = _province(expected_v2, "rpt_outcomes", year)
    done = (
        "已全部整改完成"
        if o["immediate_completed"] == o["immediate"]
        else f"已整改完成{o['immediate_completed']}件"
    )
    assert (
        f"移交立行立改问题{o['immediate']}件，其中民生问题{o['immediate_livelihood']}件，{done}"
    ) in html
    assert f"建立健全制度{o['institutions']}项" in html
    loss = f"{o['recovered_loss_10k']:.1f}".removesuffix(".0")
    assert f"挽回经济损失{loss}万元" in html
    before = _province(expected_v2, "rpt_outcomes", str(int(year) - 1))
    diff = o["immediate"] - before["immediate"]
    word = "增加" if diff > 0 else "减少"
    if diff:
        assert f"立行立改问题{word}{abs(diff)}件" in html
    c = _province(expected_v2, "rpt_common_problem_followup", year)
    if c["common_problems"]:
        assert (
            f"提炼形成共性问题{c['common_problems']}项，推动{c['units_reported']}家单位对照自查"
        ) in html
        assert (
            f"发现相关问题{c['problems_found']}个，制定整改措施{c['measures']}项，"
            f"推动完善制度{c['institutions']}项"
        ) in html
    r = _province(expected_v2, "rpt_recurrence", year)
    assert f"开展巡察“回头看”{r['lookback_inspections']}次" in html
    assert "列入督办清单" in html
