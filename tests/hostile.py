"""Builders for the hostile-input tests: valid submissions and files crafted to hurt.

Everything here writes real files (xlsxwriter, xlwt, zipfile, msoffcrypto) so
the tests exercise the same readers a real inbox does; nothing in the project
is mocked. Run from the repository root as `python -m tests.hostile ingest INBOX
HOME LIMIT`, it ingests an inbox under an address-space limit (memory-bound test).
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import sys
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from tests import builders
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
ACCEPTANCE = SHARED / "acceptance"  # ../shared, also from a git worktree
ACCEPTANCE_INBOX = ACCEPTANCE / "inbox"
ACCEPTANCE_AS_OF = date(2025, 3, 15)

# A county of the acceptance corpus and a round of its that the corpus never uses,
# so the extra submissions below add rows without superseding anything (§7).
COUNTY_FOLDER = "石渡县委巡察办"
COUNTY_NAME = "石渡县委巡察办"
TERM, ROUND = 16, 20
UNITS = ("石渡县教育局", "石渡县财政局", "石渡县公安局")

T1_HEADER = ["序号", "届次", "轮次", "巡察组", "被巡察单位", "巡察方式", "进驻日期", "反馈日期"]
T2_HEADER = [
    "序号",
    "问题编号",
    "届次",
    "轮次",
    "被巡察单位",
    "问题类别",
    "问题描述",
    "整改状态",
    "整改时限",
]
T3_HEADER = [
    "序号",
    "线索编号",
    "届次",
    "轮次",
    "被巡察单位",
    "反映对象",
    "反映对象职务",
    "反映对象管理层级",
    "移交日期",
    "移交单位",
    "处置方式",
]


def t1_rows(term: int = TERM, rnd: int = ROUND, units: Sequence[str] = UNITS) -> list[list]:
    return [
        [i + 1, term, rnd, f"县委第{i + 1}巡察组", unit, "常规", "2024-10-08", "2024-12-20"]
        for i, unit in enumerate(units)
    ]


def _coded_rows(prefix: str, tails: Sequence[Sequence[object]], term: int, rnd: int) -> list[list]:
    """序号, a `prefix`-numbered code, 届次, 轮次 and the units in turn, then each row's own
    cells: the columns T2 and T3 rows of the extra round share."""
    return [
        [i + 1, f"{prefix}-{i + 1:03d}", term, rnd, UNITS[i % len(UNITS)], *tail]
        for i, tail in enumerate(tails)
    ]


def t2_rows(
    prefix: str, descriptions: Sequence[str], term: int = TERM, rnd: int = ROUND
) -> list[list]:
    tails = [["作风建设", text, "整改中", "2025-06-30"] for text in descriptions]
    return _coded_rows(prefix, tails, term, rnd)


def t3_rows(
    prefix: str, subjects: Sequence[tuple[str, str]], term: int = TERM, rnd: int = ROUND
) -> list[list]:
    tails = [
        [name, title, "县管干部", "2024-12-25", "纪委监委", "初步核实"] for name, title in subjects
    ]
    return _coded_rows(prefix, tails, term, rnd)


def sheet(title: str, header: list[str], rows: list[list], submitter: str = COUNTY_NAME) -> list:
    """A realistic sheet: a title, a metadata line, a blank row, the header, the rows."""
    return [[title], [f"填报单位：{submitter}"], [], header, *rows]


def _text_or_number(ws: Worksheet, r: int, c: int, value: object) -> None:
    if isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif value is not None:
        ws.write_string(r, c, str(value))


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write every cell as text or number — never as a formula, whatever it starts with."""
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    return builders.write_xlsx(path, sheets, options=options, cell=_text_or_number)


def valid_workbook(path: Path, prefix: str = "HX", *, problems: bool = True) -> Path:
    """T1 (+ T2) + T3 of the extra round, all rows loadable."""
    sheets = {"巡察安排": sheet("巡察安排表", T1_HEADER, t1_rows())}
    if problems:
        sheets["问题台账"] = sheet("问题台账", T2_HEADER, t2_rows(prefix, ["问题甲", "问题乙"]))
    sheets["线索"] = sheet("线索表", T3_HEADER, t3_rows(prefix, [("测试姓名子", "测试职务子")]))
    return write_xlsx(path, sheets)


# --------------------------------------------------------------------- hostile files


def _rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes | None]) -> None:
    """Copy a zip, replacing some members (None = streamed whitespace bomb)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def zip_bomb(path: Path, expanded_mb: int = 64) -> Path:
    """A valid .xlsx whose sheet part is padded with whitespace: ~1000× expansion."""
    base = valid_workbook(path.with_suffix(".base.xlsx"))
    with zipfile.ZipFile(base) as zin:
        original = zin.read("xl/worksheets/sheet1.xml")
    head, tail = original.split(b"<sheetData>", 1)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(member, "w", force_zip64=True) as fh:
                fh.write(head + b"<sheetData>")
                pad = b" " * (1 << 20)
                for _ in range(expanded_mb):
                    fh.write(pad)
                fh.write(tail)
    base.unlink()
    return path


def lying_zip_bomb(path: Path) -> Path:
    """A zip bomb whose directory declares a tiny uncompressed size (and the matching CRC
    of that prefix) for the sheet part, so a check trusting the declared size passes."""
    zip_bomb(path, expanded_mb=32)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        with zf.open(info) as fh:
            prefix = fh.read(4096)
    import zlib

    fake_size, fake_crc = len(prefix), zlib.crc32(prefix)
    name = b"xl/worksheets/sheet1.xml"
    # central directory entry: signature PK\1\2, crc at +16, sizes at +20/+24
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        n_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n_len] == name:
            struct.pack_into("<I", data, pos + 16, fake_crc)
            if struct.unpack_from("<I", data, pos + 24)[0] != 0xFFFFFFFF:
                struct.pack_into("<I", data, pos + 24, fake_size)
            else:  # zip64 extra field holds the real sizes
                x_len = struct.unpack_from("<H", data, pos + 30)[0]
                extra = pos + 46 + n_len
                end = extra + x_len
                while extra < end:
                    tag, size = struct.unpack_from("<HH", data, extra)
                    if tag == 1:
                        struct.pack_into("<Q", data, extra + 4, fake_size)
                    extra += 4 + size
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    return path


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE sst [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


def entity_bomb(path: Path) -> Path:
    """ "Billion laughs" in xl/sharedStrings.xml of an otherwise valid workbook whose
    every text cell points at shared string 0 (so a parser would have to expand it)."""
    base = write_xlsx(path.with_suffix(".base.xlsx"), {"Sheet1": [["届次", "轮次"], ["甲", "乙"]]})
    with zipfile.ZipFile(base) as zin:
        sheet_xml = zin.read("xl/worksheets/sheet1.xml")
    import re

    sheet_xml = re.sub(rb"<v>\d+</v>", b"<v>0</v>", sheet_xml)
    _rewrite_zip(
        base,
        path,
        {"xl/sharedStrings.xml": BILLION_LAUGHS, "xl/worksheets/sheet1.xml": sheet_xml},
    )
    base.unlink()
    return path


def far_cell(path: Path, *, hide_dimension: bool = False) -> Path:
    """A small valid table plus one real cell at XFD1048576 (the last cell of a sheet).

    With `hide_dimension` the <dimension> element claims A1:I6 so only a scan of the
    cell references finds the far cell.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path if not hide_dimension else path.with_suffix(".base.xlsx")
    wb = xlsxwriter.Workbook(str(target))
    ws = wb.add_worksheet("T1")
    for r, row in enumerate(sheet("巡察安排表", T1_HEADER, t1_rows(rnd=ROUND + 1))):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.write_string(1_048_575, 16_383, "远端单元格")
    wb.close()
    if hide_dimension:
        with zipfile.ZipFile(target) as zin:
            xml = zin.read("xl/worksheets/sheet1.xml")
        import re

        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:I6"/>', xml)
        _rewrite_zip(target, path, {"xl/worksheets/sheet1.xml": xml})
        target.unlink()
    return path


def encrypted_xlsx(path: Path, password: str = "123456") -> Path:
    """A real password-protected .xlsx (ECMA-376 agile encryption in an OLE container)."""
    import msoffcrypto.format.ooxml  # test-only dependency (dev extra)

    plain = valid_workbook(path.with_suffix(".plain.xlsx"))
    with plain.open("rb") as src, path.open("wb") as dst:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt(password, dst)
    plain.unlink()
    return path


def _biff_records(data: bytes) -> list[tuple[int, bytes]]:
    records, pos = [], 0
    while pos + 4 <= len(data):
        rid, size = struct.unpack_from("<HH", data, pos)
        records.append((rid, data[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    return records


# Records RC4 encryption leaves in clear text (MS-XLS 2.2.10): BOF, FILEPASS, and a few
# of the globals' shared-workbook records; BOUNDSHEET keeps its first 4 bytes (the offset).
_CLEAR_RECORDS = frozenset({0x0809, 0x002F, 0x00E1, 0x0194, 0x0195, 0x0196, 0x0138})


def encrypted_xls(path: Path, *, scramble: bool = False) -> Path:
    """An .xls whose workbook globals carry a FILEPASS record (RC4 CryptoAPI header).

    xlwt cannot encrypt, so its BIFF8 stream is patched: FILEPASS goes right after
    the first BOF (where Excel puts it) and every BOUNDSHEET offset moves by its size.
    Without `scramble` the record bodies are not actually encrypted; a reader must stop at
    FILEPASS. With `scramble` every body RC4 would encrypt is overwritten by a fixed
    pseudo-random stream, as ciphertext looks: record headers stay readable but a cell
    record's "row" and "column" are noise (a real encrypted .xls used to be rejected F4
    with a row in the billions). No tool here writes a really encrypted .xls.
    """
    import random

    import xlwt
    from xlwt.CompoundDoc import XlsDoc

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("T1")
    for r, row in enumerate(sheet("巡察安排表", T1_HEADER, t1_rows(rnd=ROUND + 2))):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    biff = wb.get_biff_data()
    # FILEPASS (0x002F): wEncryptionType=1 (RC4), RC4 CryptoAPI header version 2.2 (fake salt)
    body = struct.pack("<HHHI", 1, 2, 2, 0x04) + b"\x00" * 48
    filepass = struct.pack("<HH", 0x002F, len(body)) + body
    records = _biff_records(biff)
    noise = random.Random(20240229)
    out = bytearray()
    for i, (rid, rec) in enumerate(records):
        if rid == 0x0085:  # BOUNDSHEET: first 4 bytes = absolute offset of the sheet's BOF
            offset = struct.unpack_from("<I", rec)[0] + len(filepass)
            rest = noise.randbytes(len(rec) - 4) if scramble else rec[4:]
            rec = struct.pack("<I", offset) + rest
        elif scramble and i > 0 and rid not in _CLEAR_RECORDS:
            rec = noise.randbytes(len(rec))
        out += struct.pack("<HH", rid, len(rec)) + rec
        if i == 0:
            out += filepass
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        XlsDoc().save(fh, bytes(out))
    return path


def plain_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("T1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


def truncated_zip(path: Path) -> Path:
    base = valid_workbook(path.with_suffix(".base.xlsx"))
    data = base.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    base.unlink()
    return path


def html_table_xls(path: Path, rows: list[list]) -> Path:
    """What web systems export as "Excel": an HTML page with a <table>, named .xls."""
    cells = "\n".join(
        "<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row) + "</tr>"
        for row in rows
    )
    html = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta charset="utf-8"><title>导出</title></head><body>'
        f"<table border=1>\n{cells}\n</table></body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def html_page_xls(path: Path) -> Path:
    """An HTML page (a login/error page saved as .xls) with no table in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html><html><body><h1>会话已过期</h1><p>请重新登录后再导出。</p></body></html>",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------- inboxes


def copy_acceptance_inbox(target: Path) -> Path:
    shutil.copytree(ACCEPTANCE_INBOX, target, symlinks=True)
    return target


# file name (relative to the inbox) → expected rule (None = loads in full)
HOSTILE_EXPECTED: dict[str, str | None] = {
    f"{COUNTY_FOLDER}/hostile/压缩炸弹.xlsx": "F4",
    f"{COUNTY_FOLDER}/hostile/伪造大小的压缩炸弹.xlsx": "F4",
    f"{COUNTY_FOLDER}/hostile/实体炸弹.xlsx": "F4",
    f"{COUNTY_FOLDER}/hostile/XFD1048576.xlsx": "F4",
    f"{COUNTY_FOLDER}/hostile/XFD1048576 维度造假.xlsx": "F4",
    f"{COUNTY_FOLDER}/hostile/加密.xlsx": "F1",
    f"{COUNTY_FOLDER}/hostile/加密.xls": "F1",
    f"{COUNTY_FOLDER}/hostile/加密 密文.xls": "F1",
    f"{COUNTY_FOLDER}/hostile/截断.xlsx": "F1",
    f"{COUNTY_FOLDER}/hostile/空文件.xlsx": "F1",
    f"{COUNTY_FOLDER}/hostile/网页错误页.xls": "F1",
    f"{COUNTY_FOLDER}/hostile/网页导出 问题台账.xls": None,
    f"{COUNTY_FOLDER}/a ..b 报表.xlsx": None,
}
# rows each loadable extra file contributes
HOSTILE_ROWS = {
    f"{COUNTY_FOLDER}/hostile/网页导出 问题台账.xls": 3,
    f"{COUNTY_FOLDER}/a ..b 报表.xlsx": len(UNITS) + 1,
}
OUTSIDE_CLUE_PREFIX = "OUTSIDE"


def build_hostile_inbox(inbox: Path, outside: Path) -> dict[str, str | None]:
    """The acceptance corpus plus every hostile file; `outside` holds the symlink targets."""
    copy_acceptance_inbox(inbox)
    d = inbox / COUNTY_FOLDER / "hostile"
    d.mkdir(parents=True)
    zip_bomb(d / "压缩炸弹.xlsx")
    lying_zip_bomb(d / "伪造大小的压缩炸弹.xlsx")
    entity_bomb(d / "实体炸弹.xlsx")
    far_cell(d / "XFD1048576.xlsx")
    far_cell(d / "XFD1048576 维度造假.xlsx", hide_dimension=True)
    encrypted_xlsx(d / "加密.xlsx")
    encrypted_xls(d / "加密.xls")
    encrypted_xls(d / "加密 密文.xls", scramble=True)
    truncated_zip(d / "截断.xlsx")
    (d / "空文件.xlsx").write_bytes(b"")
    html_page_xls(d / "网页错误页.xls")
    html_table_xls(
        d / "网页导出 问题台账.xls",
        sheet("问题台账", T2_HEADER, t2_rows("HTML", ["网页问题一", "网页问题二", "网页问题三"])),
    )
    # T1 and T3 only: the T2 scope of this round belongs to the HTML export above
    valid_workbook(inbox / COUNTY_FOLDER / "a ..b 报表.xlsx", prefix="WEIRD", problems=False)
    # symlinks out of the inbox: a file and a directory, both holding loadable data
    outside.mkdir(parents=True, exist_ok=True)
    target = write_xlsx(
        outside / "outside.xlsx",
        {"线索": sheet("线索表", T3_HEADER, t3_rows(OUTSIDE_CLUE_PREFIX, [("外部甲", "外部乙")]))},
    )
    (inbox / COUNTY_FOLDER / "链接到外部.xlsx").symlink_to(target)
    (inbox / COUNTY_FOLDER / "外部目录").symlink_to(outside, target_is_directory=True)
    return dict(HOSTILE_EXPECTED)


# --------------------------------------------------------------------- bounded child


def _ingest_with_limit(inbox: str, home: str, limit_bytes: str) -> None:
    import resource

    limit = int(limit_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from ingest.pipeline import run_ingest

    summary = run_ingest(Path(inbox), Path(home), ACCEPTANCE_AS_OF)
    print(dict(summary.files), summary.rows_loaded, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "ingest":
        os.environ.setdefault("POLARS_MAX_THREADS", "2")
        _ingest_with_limit(*sys.argv[2:])
    else:
        raise SystemExit("usage: python -m tests.hostile ingest INBOX HOME LIMIT_BYTES")


# --------------------------------------------------------------------- seeded inbox

# Made-up names that occur nowhere else: any hit in an output is a leak.
SEEDED_SUBJECTS = [
    ("测试敏感人甲", "测试职务甲"),
    ("测试敏感人乙", "测试职务乙"),
    ("测试敏感人丙", "测试职务丙"),
]
QUARANTINED_SUBJECTS = [
    ("测试敏感人丁", "测试职务丁"),
    ("测试敏感人戊", "测试职务戊"),
    ("测试敏感人庚", "测试职务庚"),
]
ORPHAN_SUBJECT = ("测试敏感人己", "测试职务己")
SEEDED_NAMES = [n for pair in SEEDED_SUBJECTS + QUARANTINED_SUBJECTS for n in pair] + list(
    ORPHAN_SUBJECT
)

FORMULA_PAYLOADS = ['=HYPERLINK("http://x","点我")', "+1", "-1+1", "@SUM(A1)"]
SEEDED_ROUND = ROUND + 5
SEEDED_FILE = f"{COUNTY_FOLDER}/敏感与公式测试.xlsx"
SEEDED_CSV = f"{COUNTY_FOLDER}/公式测试线索.csv"


def build_seeded_inbox(inbox: Path) -> Path:
    """The acceptance corpus plus one workbook of a new round that carries
    distinctive 反映对象/职务 values (loaded, quarantined and orphan rows) and
    formula-like text in quarantined references and in loaded descriptions."""
    copy_acceptance_inbox(inbox)
    rnd = SEEDED_ROUND
    hyperlink, plus, minus, at = FORMULA_PAYLOADS
    problems = t2_rows("FX", [hyperlink, plus, minus, at], rnd=rnd)
    bad = t2_rows("FXQ", ["单位名称是公式", "单位名称是公式", "问题类别是公式"], rnd=rnd)
    bad[0][4] = hyperlink  # 被巡察单位 → R1, value kept as written
    bad[1][4] = at
    bad[2][5] = minus  # 问题类别 → R2
    bad[1][1] = plus  # a code that looks like a formula, too
    clues = t3_rows("SX", SEEDED_SUBJECTS, rnd=rnd)
    quarantined = t3_rows("SXQ", QUARANTINED_SUBJECTS, rnd=rnd)
    quarantined[0][4] = "不存在的测试单位"  # R1
    quarantined[2][1] = quarantined[1][1]  # duplicate clue code → R3 (both copies)
    orphan = t3_rows("SXO", [ORPHAN_SUBJECT], rnd=rnd + 1)  # no such inspection → R5
    write_xlsx(
        inbox / SEEDED_FILE,
        {
            "巡察安排": sheet("巡察安排表", T1_HEADER, t1_rows(rnd=rnd)),
            "问题台账": sheet("问题台账", T2_HEADER, problems + bad),
            "线索": sheet("线索表", T3_HEADER, clues + quarantined + orphan),
        },
    )
    return inbox
