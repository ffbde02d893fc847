"""Contract v2 §3 layouts and §8 F1/F4 file rules, on .xlsx, .xls and HTML files built here.

Merged body cells are filled before any rule runs, a header pasted again is skipped like a
summary row, hidden sheets are logged and never loaded (a file whose only template sheets
are hidden is F2 saying so), chart sheets are skipped, and F4 counts only cells that hold a
value. Every case is read by the real readers and ingested into a real DuckDB file.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from ingest.body import HeaderEcho, detail_rows, fill_body_merges
from ingest.headers import HeaderMatch, find_header
from ingest.parse import parse_file
from ingest.readers import Sheet, read_file
from ingest.registry import registry
from ingest.rules import FileRejected
from tests.builders import Merge, ingest, raw_files, registry_file, write_book

OFFICE = "乙县委巡察办"
T2_HEADER = ["序号", "问题编号", "届次", "轮次", "被巡察单位", "问题类别", "问题描述", "整改状态"]
T4_TOP = ["序号", "区划", "统计年度", "发现问题数", "移交问题线索", None, "立案数"]
T4_BOTTOM = [None, None, None, None, "数量", "其中县管干部", None]
T4_HEADER_MERGES: list[Merge] = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 1, 3)]
T4_HEADER_MERGES += [(0, 4, 0, 5), (0, 6, 1, 6)]
FORMATS = ("xlsx", "xls")


# ------------------------------------------------------------------------ builders


def write_html_xls(path: Path, rows: Sequence[Sequence[object]], merges: list[Merge]) -> Path:
    """What a web system exports as "Excel": an HTML table with rowspan/colspan, named .xls."""
    starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered = {
        (r, c)
        for r0, c0, r1, c1 in merges
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    lines = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            span = starts.get((r, c))
            attrs = f' rowspan="{span[0]}" colspan="{span[1]}"' if span else ""
            cells.append(f"<td{attrs}>{'' if value is None else value}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<html><head><meta charset="utf-8"></head><body><table border=1>'
        + "\n".join(lines)
        + "</table></body></html>",
        encoding="utf-8",
    )
    return path


def t2_sheet(*rows: Sequence[object]) -> list[list[object]]:
    """Title (merged over the header's width when built with TITLE_MERGE), office, header."""
    return [["乙县发现问题及整改台账"], [f"填报单位：{OFFICE}"], list(T2_HEADER), *map(list, rows)]


TITLE_MERGE: Merge = (0, 0, 0, len(T2_HEADER) - 1)  # above the header: never filled


def loaded_t2(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT problem_code, term, round, unit_code, row_number FROM raw_t2_problem "
        "WHERE is_current ORDER BY problem_code"
    ).fetchall()


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT sheet, row_number, rule, message FROM raw_quarantine ORDER BY row_number"
    ).fetchall()


def file_rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return raw_files(con, "status, rule, message, rows_loaded")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    registry_file(box)
    return box


# ------------------------------------------------------------------- merged body cells

# Excel rows 4–7: 届次 and 轮次 merged down all four problems, 被巡察单位 down each unit's two.
MERGED_ROWS = [
    [1, "WT101", 16, 1, "乙县财政局", "作风建设", "问题一", "整改中"],
    [2, "WT102", None, None, None, "其他", "问题二", "已整改"],
    [3, "WT103", None, None, "乙县教育局", "其他", "问题三", "整改中"],
    [4, "WT104", None, None, None, "作风建设", "问题四", "已整改"],
]
BODY_MERGES: list[Merge] = [(3, 2, 6, 2), (3, 3, 6, 3), (3, 4, 4, 4), (5, 4, 6, 4)]
EXPECTED_MERGED_LOAD = [
    ("WT101", 16, 1, "990101001", 4),
    ("WT102", 16, 1, "990101001", 5),
    ("WT103", 16, 1, "990101002", 6),
    ("WT104", 16, 1, "990101002", 7),
]


@pytest.mark.parametrize("fmt", [*FORMATS, "html"])
def test_rows_under_merged_unit_term_and_round_load(inbox: Path, tmp_path: Path, fmt: str) -> None:
    path = inbox / OFFICE / f"台账.{fmt if fmt != 'html' else 'xls'}"
    rows = t2_sheet(*MERGED_ROWS)
    merges = [TITLE_MERGE, *BODY_MERGES]
    if fmt == "html":
        write_html_xls(path, rows, merges)
    else:
        write_book(path, {"表2": rows}, {"表2": merges})
    con = ingest(inbox, tmp_path / "home")
    assert quarantined(con) == []
    assert loaded_t2(con) == EXPECTED_MERGED_LOAD
    status, rule, _, rows_loaded = file_rows(con)[f"{OFFICE}/{path.name}"]
    assert (status, rule, rows_loaded) == ("loaded", None, 4)


@pytest.mark.parametrize("fmt", FORMATS)
def test_merged_cells_are_kept_in_raw_rows_of_every_covered_row(
    inbox: Path, tmp_path: Path, fmt: str
) -> None:
    """raw_rows keeps the cells as the rules saw them: filled."""
    write_book(
        inbox / OFFICE / f"台账.{fmt}", {"表2": t2_sheet(*MERGED_ROWS)}, {"表2": BODY_MERGES}
    )
    con = ingest(inbox, tmp_path / "home")
    cells = con.execute(
        "SELECT row_number, cells->>'被巡察单位', cells->>'届次' FROM raw_rows "
        "WHERE template = 'T2' ORDER BY row_number"
    ).fetchall()
    assert [(n, unit) for n, unit, _ in cells] == [
        (4, "乙县财政局"),
        (5, "乙县财政局"),
        (6, "乙县教育局"),
        (7, "乙县教育局"),
    ]
    assert {term for *_, term in cells} == {"16"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_merge_out_to_the_last_cell_fills_only_the_table(tmp_path: Path, fmt: str) -> None:
    """Body merges drawn down to row 1048576 (65536 in .xls) and one out to XFD1048576
    fill no more than the cells that hold values: the grid stays seven rows by eight
    columns, and every row of the table is typed with the merged 届次 and 轮次."""
    path = tmp_path / f"台账.{fmt}"
    rows = t2_sheet(*MERGED_ROWS)
    if fmt == "xlsx":
        write_book(path, {"表2": rows}, {"表2": [(3, 2, 6, 2), (3, 3, 6, 3), (3, 7, 4, 7)]})
        part = "xl/worksheets/sheet1.xml"
        _rewrite_part(path, part, b'ref="C4:C7"', b'ref="C4:C1048576"')
        _rewrite_part(path, part, b'ref="D4:D7"', b'ref="D4:D1048576"')
        _rewrite_part(path, part, b'ref="H4:H5"', b'ref="H4:XFD1048576"')
    else:
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("表2")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        merged = ws._Worksheet__merged_ranges  # appended directly: no blanks written
        merged += [(3, 65535, 2, 2), (3, 65535, 3, 3), (3, 65535, 7, 255)]
        wb.save(str(path))
    (sheet,) = read_file(path)
    assert max(r1 for _, (r1, _) in sheet.merged) >= 65535
    fill_body_merges(sheet.rows, sheet.merged, 3)
    assert len(sheet.rows) == 7 and {len(r) for r in sheet.rows} == {len(T2_HEADER)}
    assert [r[7] for r in sheet.rows[3:]] == ["整改中"] * 4  # H4 filled down, nothing wider
    (t2,) = parse_file(path).sheets
    assert t2.row_numbers == [4, 5, 6, 7]
    assert t2.values["term"] == [16, 16, 16, 16]
    assert t2.values["round"] == [1, 1, 1, 1]
    assert t2.values["unit_code"] == ["乙县财政局", None, "乙县教育局", None]
    assert sorted(t2.problems) == [1, 3]  # R2 only where 被巡察单位 was not merged


def _rewrite_part(path: Path, part: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == part:
                assert old in data, data[:2000]
                data = data.replace(old, new)
            zout.writestr(info, data)


def test_fill_body_merges_fills_rectangles_and_leaves_the_header_alone() -> None:
    rows: list[list[object]] = [
        ["标题", None, None],
        ["区划", "年度", None],
        ["甲", None, "x"],
        [None, None, "y"],
    ]
    merged = [((0, 0), (0, 2)), ((1, 1), (2, 1)), ((2, 0), (3, 1)), ((3, 2), (9, 99))]
    fill_body_merges(rows, merged, start=2)
    assert rows == [
        ["标题", None, None],  # title merge above the body
        ["区划", "年度", None],  # a merge begun in the header does not reach the data
        ["甲", "甲", "x"],
        ["甲", "甲", "y"],  # clipped to the grid: no new rows or columns
    ]


# --------------------------------------------------------------- two-row header + merges


def _t4_rows(*, pasted_header: bool) -> tuple[list[list[object]], list[Merge], list[tuple]]:
    """A T4 with a two-row merged header and 统计年度 merged down the last regions; with
    `pasted_header`, the two header rows (with their merges) pasted again after the first."""
    rows: list[list[object]] = [["工作情况汇总表"], [f"填报单位：{OFFICE}"], T4_TOP, T4_BOTTOM]
    merges = [(r0 + 2, c0, r1 + 2, c1) for r0, c0, r1, c1 in T4_HEADER_MERGES]
    expected = [("990101", 2024, 3, 1)]
    rows.append([1, "990101", 2024, 5, 3, 1, 1])
    if pasted_header:
        merges += [(r0 + 5, c0, r1 + 5, c1) for r0, c0, r1, c1 in T4_HEADER_MERGES]
        rows += [list(T4_TOP), list(T4_BOTTOM)]
        rows.append([2, "990102", 2023, 7, 2, 0, 0])
        expected.append(("990102", 2023, 2, 0))
    first = len(rows)
    year = 2023 if pasted_header else 2024
    last = "990000" if pasted_header else "990102"
    rows.append([3, "990100", year, 9, 4, 2, 1])
    rows.append([4, last, None, 1, 1, 1, 0])
    merges.append((first, 2, first + 1, 2))  # 统计年度 down the last two regions
    expected += [("990100", year, 4, 2), (last, year, 1, 1)]
    return rows, merges, sorted(expected)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pasted", [False, True], ids=["merged-year", "pasted-header"])
def test_two_row_header_still_flattens_and_body_merges_fill(
    inbox: Path, tmp_path: Path, fmt: str, pasted: bool
) -> None:
    rows, merges, expected = _t4_rows(pasted_header=pasted)
    path = write_book(inbox / OFFICE / f"汇总表.{fmt}", {"表4": rows}, {"表4": merges})
    (sheet,) = read_file(path)
    match = find_header(sheet, registry())
    assert isinstance(match, HeaderMatch) and match.height == 2
    assert match.labels[4:6] == ("移交问题线索/数量", "移交问题线索/其中县管干部")
    assert {c.name for c in match.columns.values()} >= {"clues", "county_cadre_clues", "year"}
    con = ingest(inbox, tmp_path / "home")
    assert quarantined(con) == []
    got = con.execute(
        "SELECT region_code, year, clues, county_cadre_clues FROM raw_t4_summary "
        "WHERE is_current ORDER BY ALL"
    ).fetchall()
    assert got == expected


# -------------------------------------------------------------------- pasted header rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_pasted_again_is_neither_loaded_nor_quarantined(
    inbox: Path, tmp_path: Path, fmt: str
) -> None:
    header_again = list(T2_HEADER)
    header_again[4] = "被巡察\n单位"  # as typed again: a line break, normalised away
    header_again[7] = "整改状态（进度）"  # a trailing bracketed note, normalised away
    rows = t2_sheet(
        [1, "WT201", 16, 1, "乙县财政局", "作风建设", "问题一", "整改中"],
        header_again,
        [2, "WT202", 16, 1, "乙县教育局", "其他", "问题二", "已整改"],
        # Looks like the header but a required column (被巡察单位) is empty: a detail row.
        [None, "问题编号", "届次", "轮次", None, "问题类别", None, "整改状态"],
    )
    write_book(inbox / OFFICE / f"台账.{fmt}", {"表2": rows})
    con = ingest(inbox, tmp_path / "home")
    assert [r[0] for r in loaded_t2(con)] == ["WT201", "WT202"]
    assert [(s, n, rule) for s, n, rule, _ in quarantined(con)] == [("表2", 7, "R2")]


def test_header_echo_needs_every_cell_to_match_its_own_column() -> None:
    rows = [list(T2_HEADER), ["1", "WT1", "16", "1", "乙县财政局", "其他", "", "整改中"]]
    match = find_header(Sheet("s", rows), registry())
    assert isinstance(match, HeaderMatch)
    echo = HeaderEcho.of(rows, match)
    swapped = [*T2_HEADER]
    swapped[2], swapped[3] = swapped[3], swapped[2]  # 轮次 under 届次: not the header
    body = [rows[0], swapped, [*T2_HEADER[:6], "", T2_HEADER[7]], rows[1]]
    kept = [n for n, _ in detail_rows([*rows[:1], *body], 1, echo)]
    assert kept == [3, 5]  # the swapped row and the data row; exact and blank-description echoes go


# ----------------------------------------------------------------------- hidden sheets


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("level", [1, 2], ids=["hidden", "very-hidden"])
def test_hidden_sheet_with_a_stale_copy_is_not_read(
    inbox: Path, tmp_path: Path, fmt: str, level: int
) -> None:
    current = t2_sheet([1, "WT301", 16, 1, "乙县财政局", "作风建设", "新", "已整改"])
    stale = t2_sheet(
        [1, "WT301", 16, 1, "乙县财政局", "作风建设", "旧", "整改中"],
        [2, "WT302", 16, 1, "不存在的单位", "其他", "旧", "整改中"],
    )
    path = write_book(
        inbox / OFFICE / f"台账.{fmt}",
        {"表2": current, "表2（旧）": stale},
        hidden={"表2（旧）": level},
    )
    parsed = parse_file(path)
    assert [s.name for s in parsed.sheets] == ["表2"]
    (skip,) = parsed.skipped
    assert skip.startswith("表2（旧）：") and "隐藏" in skip and "T2" in skip
    con = ingest(inbox, tmp_path / "home")
    assert [r[0] for r in loaded_t2(con)] == ["WT301"]
    assert quarantined(con) == []  # no R3 against the stale copy, no R1 for its unit


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_whose_only_template_sheet_is_hidden_is_f2_saying_so(
    inbox: Path, tmp_path: Path, fmt: str
) -> None:
    rows = t2_sheet([1, "WT401", 16, 1, "乙县财政局", "作风建设", "问题", "整改中"])
    name = f"旧版台账.{fmt}"
    write_book(
        inbox / OFFICE / name,
        {"说明": [["本表为旧版，仅供参考"]], "表2": rows},
        hidden={"表2": 1},
    )
    con = ingest(inbox, tmp_path / "home")
    status, rule, message, rows_loaded = file_rows(con)[f"{OFFICE}/{name}"]
    assert (status, rule, rows_loaded) == ("rejected", "F2", 0)
    assert "隐藏" in message and "“表2”" in message, message
    assert loaded_t2(con) == []


def test_chart_sheet_is_skipped_and_logged_and_the_data_loads(inbox: Path, tmp_path: Path) -> None:
    path = inbox / OFFICE / "台账.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表2")
    for r, row in enumerate(t2_sheet([1, "WT501", 16, 1, "乙县财政局", "其他", "问题", "整改中"])):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=表2!$A$4:$A$4"})
    wb.add_chartsheet("统计图").set_chart(chart)
    wb.close()
    parsed = parse_file(path)
    assert [s.name for s in parsed.sheets] == ["表2"]
    assert parsed.skipped == ["统计图：图表工作表，不是数据"]
    con = ingest(inbox, tmp_path / "home")
    assert [r[0] for r in loaded_t2(con)] == ["WT501"]
    assert file_rows(con)[f"{OFFICE}/台账.xlsx"][:2] == ("loaded", None)


# ------------------------------------------------------ F4 counts cells holding a value


def _small_table_xlsx(path: Path, far: str) -> Path:
    """A small T2 plus formatting far away, as Excel writes for formatted whole rows/columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表2")
    fmt = wb.add_format({"bg_color": "#FFFF00"})
    for r, row in enumerate(t2_sheet([1, "WT601", 16, 1, "乙县财政局", "其他", "问题", "整改中"])):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    if far == "row":
        ws.set_row(1_048_575, 20, fmt)  # <row r="1048576" s="1" customFormat="1"/>
    elif far == "cells":
        ws.write_blank(0, 16_383, None, fmt)  # <c r="XFD1" s="1"/>
        ws.write_blank(1_048_575, 16_383, None, fmt)  # <c r="XFD1048576" s="1"/>
    wb.close()
    return path


@pytest.mark.parametrize("far", ["row", "cells"])
def test_empty_formatting_out_to_xfd1048576_is_not_over_limits(
    inbox: Path, tmp_path: Path, far: str
) -> None:
    path = _small_table_xlsx(inbox / OFFICE / f"台账-{far}.xlsx", far)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert re.search(rb'<dimension ref="A1:[A-Z]+1048576"/>', xml), xml[:300]
    (sheet,) = read_file(path)
    assert len(sheet.rows) == 4 and max(len(r) for r in sheet.rows) == len(T2_HEADER)
    con = ingest(inbox, tmp_path / "home")
    assert file_rows(con)[f"{OFFICE}/{path.name}"][:2] == ("loaded", None)
    assert [r[0] for r in loaded_t2(con)] == ["WT601"]


def _edited_small_table(path: Path, far: str, old: bytes, new: bytes) -> Path:
    """`_small_table_xlsx` with one piece of its sheet XML replaced, as other writers save it."""
    _rewrite_part(_small_table_xlsx(path, far), "xl/worksheets/sheet1.xml", old, new)
    return path


def test_declared_dimension_alone_is_not_over_limits(tmp_path: Path) -> None:
    path = _edited_small_table(
        tmp_path / "base.xlsx",
        "none",
        b'<dimension ref="A1:H4"/>',
        b'<dimension ref="A1:XFD1048576"/>',
    )
    (sheet,) = read_file(path)
    assert len(sheet.rows) == 4


def test_a_real_value_far_away_is_still_f4(tmp_path: Path) -> None:
    real_value = b'<c r="XFD1048576" s="1" t="inlineStr"><is><t>x</t></is></c>'
    path = _edited_small_table(
        tmp_path / "far.xlsx", "cells", b'<c r="XFD1048576" s="1"/>', real_value
    )
    with pytest.raises(FileRejected) as info:
        read_file(path)
    assert info.value.rule == "F4" and "XFD" in info.value.message


def test_styled_blank_cells_at_the_edge_of_an_xls_do_not_widen_the_table(tmp_path: Path) -> None:
    import xlwt

    path = tmp_path / "台账.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("表2")
    for r, row in enumerate(t2_sheet([1, "WT701", 16, 1, "乙县财政局", "其他", "问题", "整改中"])):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    yellow = xlwt.easyxf("pattern: pattern solid, fore_colour yellow")
    ws.write(65_534, 255, None, yellow)  # BLANK record at IV65535
    ws.row(65_535).write_blanks(0, 255, yellow)  # MULBLANK across the last row
    wb.save(str(path))
    (sheet,) = read_file(path)
    assert len(sheet.rows) == 4 and max(len(r) for r in sheet.rows) == len(T2_HEADER)
    (t2,) = parse_file(path).sheets
    assert t2.values["problem_code"] == ["WT701"]


def test_encrypted_files_say_they_have_a_password(tmp_path: Path) -> None:
    from tests import hostile

    for path in (
        hostile.encrypted_xls(tmp_path / "a.xls", scramble=True),
        hostile.encrypted_xls(tmp_path / "b.xls"),
        hostile.encrypted_xlsx(tmp_path / "c.xlsx"),
    ):
        with pytest.raises(FileRejected) as info:
            read_file(path)
        assert info.value.rule == "F1" and "设有打开密码" in info.value.message, path


@pytest.mark.parametrize(
    ("cell", "extent"),
    [
        (b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (1_048_576, 16_384)),
        (b'<c r="XFD1048576" s="1"/>', (3, 3)),
        (b'<c r="XFD1048576" s="2"></c>', (3, 3)),
        (b'<c r="ZZ9"><f>A1</f></c>', (9, 702)),
    ],
    ids=["value", "styled", "styled-open-close", "formula"],
)
def test_valued_cell_extent_across_every_chunk_boundary(cell: bytes, extent: tuple) -> None:
    """The exact extent scan streams 1 MiB chunks: a cell cut by a chunk boundary at any
    byte still counts if and only if it holds a value."""
    import io

    from ingest import readers

    filler = b'<c r="B2" s="1"/>'
    for shift in range(-len(cell) - 2, 3):
        size = readers._CHUNK + shift
        head = b'<worksheet><sheetData><row r="1">' + filler * (size // len(filler))
        xml = head + b" " * max(size - len(head), 0) + cell
        xml += b'<c r="C3"><v>1</v></c></row></sheetData></worksheet>'
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/worksheets/sheet1.xml", xml)
        with zipfile.ZipFile(buf) as zf:
            got = readers._sheet_extent(zf, zf.getinfo("xl/worksheets/sheet1.xml"))
        assert got == extent, shift
