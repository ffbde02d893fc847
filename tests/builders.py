"""Build real spreadsheet files for tests (xlsx via xlsxwriter, xls via xlwt, csv)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ingest.pipeline import run_ingest

Rows = Sequence[Sequence[object]]

PROVINCE = "990000"
CITY = "990100"
COUNTY = "990101"
OTHER_COUNTY = "990102"

REGISTRY_R0: Rows = [
    ["区划代码", "区划名称", "层级", "上级区划代码"],
    [PROVINCE, "测试省", "省", ""],
    [CITY, "甲市", "市", PROVINCE],
    [COUNTY, "乙县", "县", CITY],
    [OTHER_COUNTY, "丙县", "县", CITY],
]
REGISTRY_T0: Rows = [
    ["单位编码", "单位名称", "别名", "单位类别", "所属区划代码", "管理权限"],
    ["990101001", "乙县财政局", "乙县财政", "党政机关", COUNTY, "县管"],
    ["990101002", "乙县教育局", "", "党政机关", COUNTY, "县管"],
    ["990101003", "乙县城关镇", "城关镇", "乡镇（街道）", COUNTY, "县管"],
    ["990102001", "丙县财政局", "", "党政机关", OTHER_COUNTY, "县管"],
    ["990100001", "甲市财政局", "", "党政机关", CITY, "市管"],
]


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)
Cell = Callable[[Worksheet, int, int, object], None]
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False}


def cells(rows: Rows) -> Iterator[tuple[int, int, object]]:
    """(row, column, value) of every cell of a sheet's rows, 0-based."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            yield r, c, value


def write_value(ws: Worksheet, r: int, c: int, value: object) -> None:
    """A cell as a clerk's file has it: blank when empty, else xlsxwriter's own typing."""
    if value is not None and value != "":
        ws.write(r, c, value)


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows],
    merges: dict[str, list[Merge]] | None = None,
    hidden: dict[str, int] | None = None,
    *,
    options: dict[str, bool] = XLSX_OPTIONS,
    cell: Cell = write_value,
) -> Path:
    """The one xlsx writer of the tests: plain values (`cell` writes each), merged ranges and
    hidden sheets. A merge shows its top-left cell's value, as Excel saves it; `hidden` is 1
    for hidden and 2 for very hidden."""
    path.parent.mkdir(parents=True, exist_ok=True)
    merges, hidden = merges or {}, hidden or {}
    wb = xlsxwriter.Workbook(str(path), options)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, c, value in cells(rows):
            cell(ws, r, c, value)
        for r0, c0, r1, c1 in merges.get(name, []):
            ws.merge_range(r0, c0, r1, c1, rows[r0][c0])
        if hidden.get(name) == 1:
            ws.hide()
        elif hidden.get(name) == 2:
            ws.very_hidden()
    wb.close()
    return path


def write_xls(
    path: Path,
    sheets: dict[str, Rows],
    merges: dict[str, list[Merge]] | None = None,
    hidden: dict[str, int] | None = None,
) -> Path:
    """The same as `write_xlsx` in the old binary format (xlwt); cells a merge covers are
    left unwritten except its top-left."""
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    merges, hidden = merges or {}, hidden or {}
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        covered = set()
        for r0, c0, r1, c1 in merges.get(name, []):
            ws.write_merge(r0, r1, c0, c1, rows[r0][c0])
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, c, value in cells(rows):
            if (r, c) not in covered and value is not None and value != "":
                ws.write(r, c, value)
        ws.visibility = hidden.get(name, 0)
    wb.save(str(path))
    return path


def write_book(
    path: Path,
    sheets: dict[str, Rows],
    merges: dict[str, list[Merge]] | None = None,
    hidden: dict[str, int] | None = None,
) -> Path:
    """An .xlsx or .xls, by the path's suffix, with merged ranges and hidden sheets."""
    writer = write_xls if path.suffix == ".xls" else write_xlsx
    return writer(path, sheets, merges, hidden)


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def registry_file(inbox: Path) -> Path:
    """The province's reference workbook (R0 + T0) that every test inbox needs."""
    return write_xlsx(
        inbox / "测试省委巡视办" / "基础数据.xlsx",
        {
            "区划": [["填报单位：测试省委巡视办　　填报日期：2024年1月2日"], *REGISTRY_R0],
            "名录": [["填报单位：测试省委巡视办"], *REGISTRY_T0],
        },
    )


T1_HEADER = ["届次", "轮次", "巡察组", "被巡察单位", "巡察方式", "派出区划", "进驻日期", "反馈日期"]


def t1_rows(*rows: Sequence[object]) -> list[list[object]]:
    return [
        ["填报单位：乙县委巡察办", "", "", "", "填报日期：2024年12月1日"],
        T1_HEADER,
        *map(list, rows),
    ]


def ingest(inbox: Path, home: Path) -> duckdb.DuckDBPyConnection:
    """The real ingest of a test inbox (one worker), and its raw layer opened read-only."""
    run_ingest(inbox, home, date(2025, 3, 15), workers=1)
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def raw_files(con: duckdb.DuckDBPyConnection, columns: str) -> dict[str, tuple]:
    """file path → the given columns of its raw_ingest_files row."""
    return {
        r[0]: r[1:]
        for r in con.execute(f"SELECT file_path, {columns} FROM raw_ingest_files").fetchall()
    }


def correct_one_cell(path: Path, min_length: int) -> bool:
    """Append “（已更正）” to the last text cell of at least `min_length` characters (sheets in
    order, rows from the bottom), as a resubmitted ledger carries a correction; False when
    the workbook has no such cell (nothing saved)."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in reversed(list(sheet.iter_rows())):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) >= min_length:
                    cell.value += "（已更正）"
                    book.save(path)
                    return True
    return False
