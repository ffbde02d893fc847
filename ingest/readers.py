"""Read one submitted file into plain cell grids (contract §2, F1 and F4).

Every reader returns the same shape, `list[Sheet]`, so header detection never
needs to know whether the cells came from .xlsx, .xls or .csv. Limits are
checked *before* a spreadsheet library touches the data, because calamine
allocates the whole declared range (a stray cell in column XFD costs GBs) and
a zip bomb would expand unchecked.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from ingest.rules import FileRejected

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500
MAX_EXPANSION = 100
# Small XML parts (styles, a sheet of blanks) legitimately compress very well;
# a part must also be big once expanded before its ratio counts as a bomb.
MIN_BOMB_BYTES = 1024 * 1024
MAX_TOTAL_EXPANDED = 1024 * 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_CELL_REF = re.compile(rb'<(?:c|row)\b[^>]*?\br="([A-Z]*)(\d+)"')
_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


@dataclass(slots=True)
class Sheet:
    """One sheet as a grid of raw cell values, row 0 = Excel row 1."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def column_number(letters: str) -> int:
    """Excel column letters to a 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def read_file(path: Path) -> list[Sheet]:
    """Read any supported file, raising FileRejected (F1/F4) when it cannot be read safely."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileRejected("F4", f"文件大小 {size / 1024 / 1024:.1f} MB，超过 50 MB 上限")
    if size == 0:
        raise FileRejected("F1", "文件为空（0 字节），不是可读取的电子表格")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        _check_zip(path)
        return _read_calamine(path)
    if head.startswith(OLE_MAGIC):
        return _read_calamine(path)
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix in {".xls", ".xlsx", ".xlsm"} and _looks_like_html(path):
        from ingest.html_tables import read_html_tables

        return read_html_tables(path)
    raise FileRejected("F1", "不是可读取的电子表格（文件已损坏或格式不受支持）")


def _looks_like_html(path: Path) -> bool:
    """Web systems often save an HTML table with an .xls name."""
    with path.open("rb") as fh:
        start = fh.read(2048).lstrip().lower()
    return (
        start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<table" in start
    )


def _check_zip(path: Path) -> None:
    """Reject zip bombs and oversized sheets before calamine allocates anything (F4)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if "EncryptedPackage" in names:
                raise FileRejected("F1", "文件已加密（设有打开密码），无法读取")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size >= MIN_BOMB_BYTES and ratio > MAX_EXPANSION:
                    raise FileRejected(
                        "F4",
                        f"压缩部件 {info.filename} 解压后膨胀 {ratio:.0f} 倍，超过 100 倍上限",
                    )
            if total > MAX_TOTAL_EXPANDED:
                raise FileRejected("F4", "解压后总大小超过 1 GB 上限")
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet_extent(zf, info)
    except zipfile.BadZipFile as exc:
        raise FileRejected("F1", f"不是可读取的电子表格（压缩包损坏：{exc}）") from exc


def _check_sheet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Scan a worksheet's cell references for the row/column limits of F4."""
    max_row = 0
    max_col = 0
    tail = b""
    with zf.open(info) as fh:
        first = True
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if first:
                dim = _DIMENSION.search(data)
                if dim:
                    _raise_if_too_large(
                        info.filename, int(dim.group(2)), column_number(dim.group(1).decode())
                    )
                first = False
            for letters, row in _CELL_REF.findall(data):
                r = int(row)
                if r > max_row:
                    max_row = r
                if letters:
                    c = column_number(letters.decode())
                    if c > max_col:
                        max_col = c
            tail = data[-64:]
    _raise_if_too_large(info.filename, max_row, max_col)


def _raise_if_too_large(part: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS:
        raise FileRejected("F4", f"工作表 {part} 有 {rows} 行，超过 1,000,000 行上限")
    if cols > MAX_COLUMNS:
        raise FileRejected("F4", f"工作表 {part} 有 {cols} 列，超过 500 列上限")


def _read_calamine(path: Path) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types
        raise FileRejected("F1", f"不是可读取的电子表格（{_calamine_reason(exc)}）") from exc
    sheets: list[Sheet] = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
                raise FileRejected(
                    "F4", f"工作表“{name}”有 {sheet.height} 行 {sheet.width} 列，超过上限"
                )
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected("F1", f"工作表“{name}”无法读取（{_calamine_reason(exc)}）") from exc
        sheets.append(Sheet(name=name, rows=rows, merged=merged))
    return sheets


def _calamine_reason(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered or "cfb" in lowered:
        return "文件已加密或损坏"
    return text[:200] or type(exc).__name__


def _read_csv(path: Path) -> Sheet:
    """CSV in UTF-8 (with or without BOM) or GB18030, as the contract allows."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected("F1", "CSV 文件编码无法识别（应为 UTF-8 或 GB18030）")
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text))]
    if len(rows) > MAX_ROWS:
        raise FileRejected("F4", f"CSV 有 {len(rows)} 行，超过 1,000,000 行上限")
    if rows and max(len(r) for r in rows) > MAX_COLUMNS:
        raise FileRejected("F4", "CSV 列数超过 500 列上限")
    return Sheet(name="csv", rows=rows)
