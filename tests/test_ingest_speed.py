"""Guards for the fast ingest paths: the shortcuts must decide exactly what the slow
paths decided, and the parse cache and .xls files stay safe.
"""

from __future__ import annotations

import json
import shutil
import stat
import struct
from pathlib import Path

import pytest

from ingest import readers
from ingest.headers import HeaderMatch, find_header
from ingest.inbox import scan_inbox
from ingest.parse import parse_sheet
from ingest.pipeline import parse_all
from ingest.readers import Sheet, read_file
from ingest.registry import registry
from ingest.rules import FileRejected
from tests import hostile


def _patched_xls(path: Path, patch) -> Path:  # type: ignore[no-untyped-def]
    """A real .xls written by xlwt whose BIFF records went through `patch(rid, body)`."""
    import xlwt
    from xlwt.CompoundDoc import XlsDoc

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("T1")
    for r, row in enumerate(hostile.sheet("巡察安排表", hostile.T1_HEADER, hostile.t1_rows())):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    out = bytearray()
    for rid, body in hostile._biff_records(wb.get_biff_data()):
        body = patch(rid, body)
        out += struct.pack("<HH", rid, len(body)) + body
    with path.open("wb") as fh:
        XlsDoc().save(fh, bytes(out))
    return path


def test_parse_cache_files_are_owner_only(tmp_path: Path) -> None:
    """Cached parses hold 反映对象 and 反映对象职务: every cache file is 0600."""
    inbox = tmp_path / "inbox"
    shutil.copytree(hostile.ACCEPTANCE_INBOX, inbox)
    scanned = scan_inbox(inbox)[:8]
    assert scanned
    cache = tmp_path / "cache"
    parse_all(scanned, cache, workers=2)
    pickles = list(cache.glob("*.enc"))
    assert len(pickles) == len({f.sha256 for f in scanned})
    assert {stat.S_IMODE(p.stat().st_mode) for p in pickles} == {0o600}
    assert not list(cache.glob("*.tmp"))


def test_plain_xls_still_reads(tmp_path: Path) -> None:
    rows = hostile.sheet("巡察安排表", hostile.T1_HEADER, hostile.t1_rows())
    sheets = read_file(hostile.plain_xls(tmp_path / "安排表.xls", rows))
    assert len(sheets[0].rows) == len(rows)


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        # DIMENSIONS claiming 5,000,000 rows: calamine would reserve a buffer that size
        (
            lambda rid, body: (
                struct.pack("<IIHH", 0, 5_000_000, 0, 9) + body[12:] if rid == 0x0200 else body
            ),
            ["5000000 行", "1,000,000 行"],
        ),
        # one LABELSST cell moved to column 16384 (XFD), as a stray far cell in an .xlsx
        (
            lambda rid, body: (
                body[:2] + struct.pack("<H", 16383) + body[4:] if rid == 0x00FD else body
            ),
            ["16384 列", "XFD"],
        ),
    ],
)
def test_far_reaching_xls_rejected_before_calamine(tmp_path: Path, patch, words) -> None:  # type: ignore[no-untyped-def]
    path = _patched_xls(tmp_path / "远端单元格.xls", patch)
    with pytest.raises(FileRejected) as exc:
        read_file(path)
    assert exc.value.rule == "F4"
    for word in ["远端单元格.xls", *words]:
        assert word in exc.value.message


def test_xls_extent_limit_is_the_shared_constant(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The .xls check uses MAX_COLUMNS like the .xlsx one: lowered, a normal file fails."""
    rows = hostile.sheet("巡察安排表", hostile.T1_HEADER, hostile.t1_rows())
    path = hostile.plain_xls(tmp_path / "安排表.xls", rows)
    monkeypatch.setattr(readers, "MAX_COLUMNS", 5)
    with pytest.raises(FileRejected) as exc:
        read_file(path)
    assert exc.value.rule == "F4"
    assert "安排表.xls" in exc.value.message and "5 列上限" in exc.value.message


def test_far_reference_prefilter_catches_every_reference_past_the_limits() -> None:
    """The one-search prefilter must match every reference the exact scan would reject."""
    pattern = readers._far_ref(readers.MAX_ROWS, readers.MAX_COLUMNS)
    for col in range(1, 3000):
        ref = f'<c r="{readers._letters(col)}7"'.encode()
        assert (pattern.search(ref) is not None) == (col > readers.MAX_COLUMNS), col
    for row in (999_999, 1_000_000, 1_000_001, 1_048_576, 123_456_789):
        ref = f'<row r="{row}"><c r="B{row}"'.encode()
        assert pattern.search(ref) is not None or row <= readers.MAX_ROWS


@pytest.mark.parametrize(
    "header",
    [
        ["巡察组", "轮次", "届次", "被巡察单位", "巡察方式", "进驻日期", "备\n注"],
        ["巡察组", "轮次", "届次", "被巡察单位", "巡察方式", "进驻日期", "巡察组"],  # twice
    ],
)
def test_raw_cells_json_is_what_json_dumps_writes(header: list[str]) -> None:
    """raw_rows.cells is joined from per-column fragments; it must equal json.dumps."""
    body = [
        ["一组", "第四轮", 16, '单位"甲"', "常规巡察", 45000.0, "a\\b\tc"],
        ["二组", 4.0, "16", "  ", "交叉", "2023.4.8", None],
        ["三组", "4", True, "单位丙", "专项", "—", "ｘ"],
    ]
    sheet = Sheet(name="T1", rows=[header, *body])
    match = find_header(sheet, registry())
    assert isinstance(match, HeaderMatch)
    parsed = parse_sheet("T1", sheet.rows, match)
    labels = [label or f"列{i + 1}" for i, label in enumerate(match.labels)]
    for row, cells in zip(body, parsed.cells, strict=True):
        expected: dict[str, str] = {}
        for label, value in zip(labels, row, strict=True):
            if value is None or (isinstance(value, str) and value.strip() in ("", "—")):
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            expected[label] = str(value).strip()
        assert cells == json.dumps(expected, ensure_ascii=False)
