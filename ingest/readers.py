"""Read one submitted file into plain cell grids (contract §2, F1 and F4).

Every reader returns the same shape, `list[Sheet]`, so header detection never
needs to know whether the cells came from .xlsx, .xls or .csv. Limits are
checked *before* a spreadsheet library touches the data, because calamine
allocates the whole declared range (a stray cell in column XFD costs GBs) and
a zip bomb would expand unchecked.

The zip check does not trust the sizes a zip declares: every part is
decompressed once, as a stream, counting the bytes that really come out, so a
part whose header lies about its size is caught too. A part is a bomb when it
expands to more than 1 MiB *and* more than 100× its compressed size (small XML
parts such as styles legitimately compress far better than 100×). The same
pass rejects DTDs (`<!DOCTYPE`, `<!ENTITY`: the "billion laughs" entity bomb;
OOXML never contains one) and measures each worksheet's extent from its cell
references.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import re
import zipfile
import zlib
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
MAX_ZIP_MEMBERS = 10_000
_CHUNK = 1 << 20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_CELL_REF = re.compile(rb'<(?:c|row)\b[^>]*?\br="([A-Z]*)(\d+)"')
_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


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
        sheet_parts = _check_zip(path)
        return _read_calamine(path, sheet_parts)
    if head.startswith(OLE_MAGIC):
        return _read_calamine(path, {})
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


# ----------------------------------------------------------------------------- zip


def _check_zip(path: Path) -> dict[str, str]:
    """Reject zip bombs, entity bombs and oversized sheets before calamine runs (F1/F4).

    Returns worksheet part → sheet name, for messages.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise FileRejected(
                    "F4", f"压缩包内有 {len(infos)} 个部件，超过 {MAX_ZIP_MEMBERS} 个上限"
                )
            if any(info.flag_bits & 0x1 for info in infos):
                raise FileRejected("F1", "文件已加密（设有密码），无法读取；请取消密码后重新报送")
            # Declared sizes first: an honest bomb is caught without inflating anything.
            declared_total = 0
            for info in infos:
                declared_total += info.file_size
                if _is_bomb(info.file_size, info.compress_size):
                    raise _bomb(info, info.file_size)
            if declared_total > MAX_TOTAL_EXPANDED:
                raise FileRejected("F4", "解压后总大小超过 1 GB 上限")
            # Then the bytes that really come out, whatever the headers say.
            order = sorted(infos, key=lambda i: not i.filename.startswith("xl/workbook"))
            sheet_parts: dict[str, str] = {}
            total = 0
            for info in order:
                if info.is_dir():
                    continue
                if info.filename == "xl/workbook.xml":
                    sheet_parts = _sheet_parts(zf)
                total += _scan_part(zf, info, sheet_parts, MAX_TOTAL_EXPANDED - total)
            return sheet_parts
    except FileRejected:
        raise
    except RuntimeError as exc:  # e.g. "File is encrypted, password required"
        raise FileRejected("F1", f"不是可读取的电子表格（{exc}）") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        raise FileRejected(
            "F1", f"不是可读取的电子表格（压缩包损坏或不完整，可能是上传或拷贝中断：{exc}）"
        ) from exc


def _is_bomb(expanded: int, compressed: int) -> bool:
    return expanded > MIN_BOMB_BYTES and expanded > MAX_EXPANSION * max(compressed, 1)


def _bomb(info: zipfile.ZipInfo, expanded: int, *, at_least: bool = False) -> FileRejected:
    ratio = expanded / max(info.compress_size, 1)
    more = "超过 " if at_least else ""
    return FileRejected(
        "F4",
        f"压缩部件 {info.filename} 解压后膨胀{more or ' '}{ratio:.0f} 倍"
        f"（{info.compress_size:,} 字节 → {more}{expanded:,} 字节），"
        "超过 100 倍上限（疑似压缩炸弹）",
    )


def _scan_part(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet_parts: dict[str, str], budget: int
) -> int:
    """Inflate one part as a stream; return its real size. Raises on any limit."""
    limit = max(MIN_BOMB_BYTES, MAX_EXPANSION * max(info.compress_size, 1))
    probe = copy.copy(info)
    probe.file_size = min(limit, budget) + _CHUNK  # read past a size that may be a lie
    del probe.CRC  # zipfile would check it at the (fake) end; the CRC is checked below
    name = info.filename
    is_xml = name.lower().endswith(_XML_SUFFIXES)
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    max_row = max_col = 0
    real = 0
    crc = 0
    tail = b""
    first = True
    with zf.open(probe) as fh:
        while chunk := fh.read(_CHUNK):
            real += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if real > budget:
                raise FileRejected("F4", "解压后总大小超过 1 GB 上限")
            if real > limit:
                raise _bomb(info, real, at_least=True)
            data = tail + chunk
            if is_xml and _DTD.search(data):
                raise FileRejected(
                    "F4",
                    f"XML 部件 {name} 含 DTD/实体声明（<!DOCTYPE>/<!ENTITY>），"
                    "可能是“实体炸弹”；正常的 Excel 文件不会包含，已拒收",
                )
            if is_sheet:
                if first:
                    dim = _DIMENSION.search(data)
                    if dim:
                        _raise_if_too_large(
                            sheet_parts.get(name, name),
                            int(dim.group(2)),
                            column_number(dim.group(1).decode()),
                        )
                for letters, row in _CELL_REF.findall(data):
                    r = int(row)
                    if r > max_row:
                        max_row = r
                    if letters:
                        c = column_number(letters.decode())
                        if c > max_col:
                            max_col = c
            first = False
            tail = data[-64:]
    if real != info.file_size or crc != info.CRC:
        raise FileRejected(
            "F1",
            f"不是可读取的电子表格（压缩包损坏：部件 {name} 声明 {info.file_size} 字节，"
            f"实际 {real} 字节{'' if crc == info.CRC else '，校验和不符'}）",
        )
    if is_sheet:
        _raise_if_too_large(sheet_parts.get(name, name), max_row, max_col)
    return real


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from xl/workbook.xml and its relationships (best effort)."""
    try:
        workbook = _read_small(zf, "xl/workbook.xml")
        rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets: dict[bytes, str] = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace").lstrip("/")
            targets[attrs[b"Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    parts: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        if rid in targets and b"name" in attrs:
            parts[targets[rid]] = html.unescape(attrs[b"name"].decode("utf-8", "replace"))
    return parts


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    """A part needed before the full scan: bounded and DTD-checked like every other."""
    info = zf.getinfo(name)
    if info.file_size > MIN_BOMB_BYTES * 16:
        return b""
    data = zf.read(info)
    if _DTD.search(data):
        raise FileRejected(
            "F4",
            f"XML 部件 {name} 含 DTD/实体声明（<!DOCTYPE>/<!ENTITY>），可能是“实体炸弹”，已拒收",
        )
    return data


def _raise_if_too_large(sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise FileRejected(
            "F4",
            f"工作表“{sheet}”的数据范围到第 {rows} 行、第 {cols} 列（{_letters(cols)} 列），"
            f"超过 {MAX_ROWS:,} 行 / {MAX_COLUMNS} 列上限；"
            "通常是远处有误填或残留的单元格，请删除后重新报送",
        )


def _letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters or "-"


# ------------------------------------------------------------------------ calamine


def _read_calamine(path: Path, sheet_parts: dict[str, str]) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types
        raise FileRejected("F1", _calamine_reason(exc)) from exc
    sheets: list[Sheet] = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
                _raise_if_too_large(name, sheet.height, sheet.width)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected("F1", f"工作表“{name}”无法读取：{_calamine_reason(exc)}") from exc
        sheets.append(Sheet(name=name, rows=rows, merged=merged))
    return sheets


def _calamine_reason(exc: Exception) -> str:
    if isinstance(exc, python_calamine.PasswordError):
        return "文件设有打开密码（已加密），无法读取；请取消密码后重新报送"
    text = str(exc)
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered:
        return "文件设有打开密码（已加密），无法读取；请取消密码后重新报送"
    return f"不是可读取的电子表格（文件已损坏：{text[:200] or type(exc).__name__}）"


# ----------------------------------------------------------------------------- csv


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
    try:
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # e.g. a NUL byte or a field over the size limit
        raise FileRejected("F1", f"CSV 文件无法解析（{exc}）") from exc
    if len(rows) > MAX_ROWS:
        raise FileRejected("F4", f"CSV 有 {len(rows)} 行，超过 1,000,000 行上限")
    if rows and max(len(r) for r in rows) > MAX_COLUMNS:
        raise FileRejected("F4", "CSV 列数超过 500 列上限")
    return Sheet(name="csv", rows=rows)
