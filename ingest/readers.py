"""Read one submitted file into plain cell grids (contract §2, F1 and F4).

Every reader returns the same shape, `list[Sheet]`, so header detection never
needs to know whether the cells came from .xlsx, .xls or .csv. Limits are
checked *before* a spreadsheet library touches the data, because calamine
allocates the whole range of its cells (a stray value in column XFD costs GBs)
and a zip bomb would expand unchecked. (v2 §8 F4) Only cells holding a value
count: a declared <dimension>, empty styled cells and empty row elements out to
XFD1048576 are formatting, and calamine leaves them out of its range too.
(v2 §8 F1) An encrypted file is F1 with a message saying it has a password,
found before anything else reads it (for .xls: the FILEPASS record). (v2 §3)
Hidden, chart and dialog sheets are returned marked, for `ingest.parse` to log.

The zip check does not trust the sizes a zip declares: every part is
decompressed once, as a stream, counting the bytes that really come out, so a
part whose header lies about its size is caught too. A part is a bomb when it
expands to more than 1 MiB *and* more than 100× its compressed size (small XML
parts such as styles legitimately compress far better than 100×). The same
pass rejects DTDs (`<!DOCTYPE`, `<!ENTITY`: the "billion laughs" entity bomb;
OOXML never contains one) and measures each worksheet's extent from its cells
that hold a value.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
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

# (v2 §8 F4) A cell counts only when it holds something: its first child is a formula
# (<f>), a value (<v>) or inline text (<is>) — the schema's order of a cell's children.
# `<c r="XFD1" s="1"/>`, `<c r="B2" s="3"></c>` and `<row r="1048576"/>` are formatting
# Excel writes for whole formatted columns and rows: they do not count. Only the opening
# tag and the next tag's name are matched, so a scan never runs past a cell.
_VALUED_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*(?<!/)>\s*<(?:\w+:)?(?:f|v|is)\b'
)
_VALUED_CELL_TAIL = 1024  # longer than any cell's opening tag plus its first child's name
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')

PASSWORD_MESSAGE = "文件设有打开密码（已加密），无法读取；请取消密码后重新报送"


@dataclass(slots=True)
class Sheet:
    """One sheet as a grid of raw cell values, row 0 = Excel row 1."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # (v2 §3) Why the sheet is not data, in Chinese, or None for a visible worksheet: a
    # hidden sheet (its rows are still read, bounded like any other, only so that an F2
    # message can say that the template sheet is hidden), a chart or dialog sheet (no rows).
    not_data: str | None = None
    hidden: bool = False


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
        _check_ole(path)
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
                raise FileRejected("F1", PASSWORD_MESSAGE)
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
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise FileRejected("F1", PASSWORD_MESSAGE) from exc
        raise FileRejected("F1", f"不是可读取的电子表格（{BROKEN_ZIP}）") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        # A clerk reads Chinese only, never the library's "File is not a zip file": the file
        # starts with a zip header (read_file checked), so a missing directory means truncated.
        raise FileRejected("F1", f"不是可读取的电子表格（{BROKEN_ZIP}）") from exc


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
    far_ref = _far_ref(MAX_ROWS, MAX_COLUMNS)
    suspect = False  # a cell reference that may lie beyond MAX_ROWS / MAX_COLUMNS
    real = 0
    crc = 0
    tail = b""
    with zf.open(probe) as fh:
        while chunk := fh.read(_CHUNK):
            real += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if real > budget:
                raise FileRejected("F4", "解压后总大小超过 1 GB 上限")
            if real > limit:
                raise _bomb(info, real, at_least=True)
            data = tail + chunk
            # `<!` first: a plain substring test, where the case-blind regex is not.
            if is_xml and b"<!" in data and _DTD.search(data):
                raise FileRejected(
                    "F4",
                    f"XML 部件 {name} 含 DTD/实体声明（<!DOCTYPE>/<!ENTITY>），"
                    "可能是“实体炸弹”；正常的 Excel 文件不会包含，已拒收",
                )
            if is_sheet:
                # The declared <dimension> is not trusted either way (v2 §8 F4): only the
                # cells are, and only those holding a value (`_sheet_extent`).
                suspect = suspect or far_ref.search(data) is not None
            tail = data[-64:]
    if real != info.file_size or crc != info.CRC:
        raise FileRejected(
            "F1",
            f"不是可读取的电子表格（压缩包损坏：部件 {name} 声明 {info.file_size} 字节，"
            f"实际 {real} 字节{'' if crc == info.CRC else '，校验和不符'}）",
        )
    if suspect:
        _raise_if_too_large(sheet_parts.get(name, name), *_sheet_extent(zf, info))
    return real


@lru_cache(maxsize=4)
def _far_ref(max_rows: int, max_cols: int) -> re.Pattern[bytes]:
    """A cheap superset of the cell references beyond the limits: a column after
    `_letters(max_cols)` or a row with as many digits as `max_rows`.

    One regex search per chunk instead of `_VALUED_CELL.findall` and a Python loop over
    every cell, so the exact `_sheet_extent` scan runs only for a sheet that may
    really be too large.
    """
    last = _letters(max_cols)
    wider = [f"[A-Z]{{{len(last) + 1}}}"]
    for j, ch in enumerate(last):
        if ch != "Z":  # same letters up to j, a later one at j, then any letters
            wider.append(f"{last[:j]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{len(last) - j - 1}}}\\d")
    longer = f"[A-Z]*\\d{{{len(str(max_rows))}}}"
    # No \\b before r=: it would make the search try every byte instead of each `r="`.
    return re.compile(f'r="(?:{"|".join([*wider, longer])})'.encode())


def _sheet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) over the cells of a worksheet part that hold a value.

    Only run when `_far_ref` saw a suspect reference: the part has already passed the
    size, bomb and CRC checks, so it is streamed again to read the exact extent. Empty
    styled cells and row elements are formatting, not data (v2 §8 F4), so they do not
    count.
    """
    max_row = max_col = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            for letters, row in _VALUED_CELL.findall(data):
                max_row = max(max_row, int(row))
                max_col = max(max_col, column_number(letters.decode()))
            tail = data[-_VALUED_CELL_TAIL:]  # a cell cut by the chunk boundary is seen again
    return max_row, max_col


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


# ----------------------------------------------------------------------------- xls

# BIFF8 records that carry a cell value and its position: (row u16, column u16) first.
# BLANK (0x0201) and MULBLANK (0x00BE) are valueless formatted cells: they do not count
# (v2 §8 F4), nor does calamine put them in a sheet's range. DIMENSIONS does count: no
# real .xls can declare more than 65,536 × 256, and calamine sizes its buffer from it.
_BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6})
_BIFF_MULTI = frozenset({0x00BD})  # MULRK: row, first column, …, last column
_BIFF_DIMENSIONS = 0x0200
_BIFF_FILEPASS = 0x002F
_BIFF_EOF = 0x000A
# An encrypted OOXML file (.xlsx with a password) is an OLE file holding these streams.
_OOXML_ENCRYPTED = ("EncryptionInfo",)  # with EncryptedPackage; the small one is enough


def _check_ole(path: Path) -> None:
    """Reject an encrypted compound file (F1, v2 §8) and an .xls past the limits (F4).

    Both before calamine reads it. An encrypted .xlsx (EncryptedPackage stream) and an .xls
    with a FILEPASS record say that they have a password: in an encrypted .xls every record
    body after FILEPASS is ciphertext, so the extent check must never read one as a cell
    position (it used to report a row in the billions).
    """
    data = path.read_bytes()
    if _ole_stream(data, _OOXML_ENCRYPTED) is not None:
        raise FileRejected("F1", PASSWORD_MESSAGE)
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None or not stream.startswith(b"\x09\x08"):  # no BIFF8 BOF: not ours to judge
        return
    if _biff_encrypted(stream):
        raise FileRejected("F1", PASSWORD_MESSAGE)
    _check_xls(path, stream)


def _biff_encrypted(stream: bytes) -> bool:
    """True when the workbook globals (up to their EOF) hold a FILEPASS record.

    Excel writes FILEPASS right after the globals' BOF; record headers stay in clear text
    when the bodies are encrypted, so walking them up to EOF is safe either way.
    """
    pos = 0
    while pos + 4 <= len(stream):
        rid, size = struct.unpack_from("<HH", stream, pos)
        if rid == _BIFF_FILEPASS:
            return True
        if rid == _BIFF_EOF:
            return False
        pos += 4 + size
    return False


def _check_xls(path: Path, stream: bytes) -> None:
    """Reject an .xls whose sheets reach past MAX_ROWS / MAX_COLUMNS before calamine reads it (F4).

    calamine sizes a sheet's cell buffer from the DIMENSIONS record and its range from
    the farthest cell, so a crafted record (BIFF8 stores a row in 32 bits and a column in
    16) would allocate gigabytes, as a far cell does in an .xlsx. The workbook stream is
    walked record by record; a compound file this reader cannot follow is left to calamine,
    which rejects it (F1) or whose own extent check applies. Only ever called on a stream
    without FILEPASS (`_check_ole`).
    """
    rows, cols = _biff_extent(stream)
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise FileRejected(
            "F4",
            f"文件“{path.name}”的工作表数据范围到第 {rows} 行、第 {cols} 列"
            f"（{_letters(cols)} 列），超过 {MAX_ROWS:,} 行 / {MAX_COLUMNS} 列上限；"
            "通常是远处有误填或残留的单元格，请删除后重新报送",
        )


def _biff_extent(stream: bytes) -> tuple[int, int]:
    """(rows, columns) the records of a BIFF8 workbook stream claim, 1-based like Excel."""
    rows = cols = 0
    pos = 0
    while pos + 4 <= len(stream):
        rid, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rid == _BIFF_DIMENSIONS and len(body) >= 12:
            _, last_row, _, last_col = struct.unpack_from("<IIHH", body)  # "last" = last + 1
            rows, cols = max(rows, last_row), max(cols, last_col)
        elif rid in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif rid in _BIFF_MULTI and len(body) >= 6:
            (row,) = struct.unpack_from("<H", body)
            (last,) = struct.unpack_from("<H", body, len(body) - 2)
            rows, cols = max(rows, row + 1), max(cols, last + 1)
    return rows, cols


def _sectors(data: bytes, size: int, base: int) -> Callable[[int], bytes]:
    """Reader of sector i of a compound file region (file sectors, or mini-stream ones)."""
    return lambda i: data[base + i * size : base + (i + 1) * size]


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """A top-level stream of an OLE compound file (MS-CFB), None when it cannot be found.

    Just enough of the format for `_check_xls`: the FAT from the header's DIFAT entries
    (the 109 in the header cover files up to ~7 GB, far above MAX_FILE_BYTES), the
    directory, and the stream's sector chain (in the mini stream when it is small). A
    chain ends at any entry that is not a sector number (end-of-chain, free) and after
    as many steps as the file has 64-byte blocks, so a looping chain in a crafted file ends.
    """
    try:
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:  # the only sizes MS-CFB allows
            return None
        sector, mini = 1 << shift, 1 << mini_shift
        n_fat, first_dir = struct.unpack_from("<II", data, 44)
        fat_sectors = struct.unpack_from("<109I", data, 76)[: min(n_fat, 109)]
        fat: list[int] = []
        for s in fat_sectors:
            fat.extend(struct.unpack_from(f"<{sector // 4}I", data, 512 + s * sector))

        def chain(start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
            out, current, limit = [], start, len(data) // 64 + 1
            while current < len(table) and limit:
                out.append(read(current))
                current, limit = table[current], limit - 1
            return b"".join(out)

        big = _sectors(data, sector, 512)

        directory = chain(first_dir, fat, big)
        cutoff = struct.unpack_from("<I", data, 56)[0]
        for off in range(0, len(directory) - 127, 128):
            name_len = struct.unpack_from("<H", directory, off + 64)[0]
            name = directory[off : off + max(name_len - 2, 0)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", directory, off + 116)
            if name not in names or directory[off + 66] != 2:
                continue
            if size >= cutoff:
                return chain(start, fat, big)[:size]
            # A small stream lives in 64-byte sectors of the root entry's "mini stream".
            root = chain(struct.unpack_from("<I", directory, 116)[0], fat, big)
            raw_minifat = chain(struct.unpack_from("<I", data, 60)[0], fat, big)
            minifat = list(struct.unpack_from(f"<{len(raw_minifat) // 4}I", raw_minifat))
            return chain(start, minifat, _sectors(root, mini, 0))[:size]
    except (struct.error, IndexError):
        return None
    return None


# ------------------------------------------------------------------------ calamine


_SheetType = python_calamine.SheetTypeEnum
_Visible = python_calamine.SheetVisibleEnum
# (v2 §3) Sheets that are not data: skipped and logged, never read, never a reason to reject.
# calamine's enums are not hashable, hence pairs rather than dicts.
_NOT_DATA = (
    (_SheetType.ChartSheet, "图表工作表，不是数据"),
    (_SheetType.DialogSheet, "对话框工作表，不是数据"),
    (_SheetType.MacroSheet, "宏工作表，不是数据"),
    (_SheetType.Vba, "VBA 模块，不是数据"),
)
_HIDDEN = ((_Visible.Hidden, "隐藏工作表"), (_Visible.VeryHidden, "深度隐藏工作表"))


def _label(
    value: object, labels: tuple[tuple[object, str], ...], default: str | None
) -> str | None:
    return next((text for key, text in labels if key == value), default)


def _read_calamine(path: Path, sheet_parts: dict[str, str]) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        metadata = workbook.sheets_metadata
    except Exception as exc:  # calamine raises several private error types
        raise FileRejected("F1", _calamine_reason(exc)) from exc
    sheets: list[Sheet] = []
    for meta in metadata:
        name = meta.name
        if meta.typ != _SheetType.WorkSheet:
            not_data = _label(meta.typ, _NOT_DATA, "非数据工作表")
            sheets.append(Sheet(name=name, rows=[], not_data=not_data))
            continue
        try:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
                _raise_if_too_large(name, sheet.height, sheet.width)
            rows = trim_empty_edges(sheet.to_python(skip_empty_area=False))
            merged = list(sheet.merged_cell_ranges or [])
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected("F1", f"工作表“{name}”无法读取：{_calamine_reason(exc)}") from exc
        hidden = _label(meta.visible, _HIDDEN, None)
        sheets.append(
            Sheet(name=name, rows=rows, merged=merged, not_data=hidden, hidden=bool(hidden))
        )
    return sheets


def trim_empty_edges(rows: list[list[object]]) -> list[list[object]]:
    """The grid without its trailing rows and columns that hold no value (v2 §8 F4).

    calamine's range already ends at its last non-empty cell, but a cell holding "" (an
    empty shared string) may stretch it; the table is bounded by what holds a value.
    """
    while rows and not any(_holds_value(v) for v in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        for col in range(len(row) - 1, width - 1, -1):
            if _holds_value(row[col]):
                width = col + 1
                break
    for i, row in enumerate(rows):
        if len(row) > width:
            rows[i] = row[:width]
    return rows


def _holds_value(value: object) -> bool:
    return value is not None and value != ""


# --- issue 16: library errors in Chinese (calamine's "Cfb error: Invalid sector shift" …)
BROKEN_ZIP = "文件已损坏或不完整，可能是上传或拷贝中途中断：请用 Excel 打开确认后重新报送"
BROKEN_XLS = "旧版 .xls 文件的内部结构已损坏，无法读取：请用 Excel 打开后另存为 .xlsx 重新报送"
BROKEN_SHEET = "文件内容已损坏或格式不受支持：请用 Excel 打开确认后另存为 .xlsx 重新报送"


def _calamine_reason(exc: Exception) -> str:
    """Why calamine could not read a file, in Chinese only (its own text is English)."""
    if isinstance(exc, python_calamine.PasswordError):
        return "文件设有打开密码（已加密），无法读取；请取消密码后重新报送"
    lowered = str(exc).lower()
    if "password" in lowered or "encrypt" in lowered:
        return "文件设有打开密码（已加密），无法读取；请取消密码后重新报送"
    if "cfb" in lowered or "sector" in lowered or "ole" in lowered:
        return f"不是可读取的电子表格（{BROKEN_XLS}）"
    if "zip" in lowered:
        return f"不是可读取的电子表格（{BROKEN_ZIP}）"
    return f"不是可读取的电子表格（{BROKEN_SHEET}）"


# --- end issue 16


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
