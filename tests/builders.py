"""Build real spreadsheet files for tests (xlsx via xlsxwriter, xls via xlwt, csv)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

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


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows],
    merges: dict[str, list[tuple[int, int, int, int, str]]] | None = None,
) -> Path:
    """Write sheets of plain values; merges are (first_row, first_col, last_row, last_col, text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                ws.write(r, c, value)
        for r0, c0, r1, c1, text in (merges or {}).get(name, []):
            ws.merge_range(r0, c0, r1, c1, text)
    wb.close()
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


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
