"""HTML tables saved with an .xls name (a common export of web systems).

Read them when they hold a real table; otherwise the file is rejected with F1.
`colspan` and `rowspan` are honoured (so columns stay aligned under a two-row
header) and reported as merged ranges, as the spreadsheet readers do. The
row and column limits of F4 apply here too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.readers import MAX_COLUMNS, MAX_ROWS, Sheet
from ingest.rules import FileRejected

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_MAX_SPAN = MAX_COLUMNS


class _TooLarge(Exception):
    pass


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self._pending: set[tuple[int, int]] = set()  # cells covered by a rowspan above
        self.cell: list[str] | None = None  # text of the open <td>/<th>
        self.span = (1, 1)  # its colspan, rowspan

    def finish_cell(self) -> None:
        if self.cell is not None:
            self.add_cell("".join(self.cell).strip(), *self.span)
        self.cell = None

    def start_row(self) -> None:
        if len(self.rows) >= MAX_ROWS:
            raise _TooLarge(f"表格超过 {MAX_ROWS:,} 行上限")
        self.rows.append([])

    def add_cell(self, text: str, colspan: int, rowspan: int) -> None:
        if not self.rows:
            self.start_row()
        r = len(self.rows) - 1
        row = self.rows[r]
        col = len(row)
        while (r, col) in self._pending:
            row.append("")
            col += 1
        if col + colspan > MAX_COLUMNS:
            raise _TooLarge(f"表格超过 {MAX_COLUMNS} 列上限")
        row.append(text)
        row.extend([""] * (colspan - 1))
        if colspan > 1 or rowspan > 1:
            self.merged.append(((r, col), (r + rowspan - 1, col + colspan - 1)))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    self._pending.add((r + dr, col + dc))

    def end_row(self) -> None:
        if not self.rows:
            return
        r = len(self.rows) - 1
        row = self.rows[r]
        while (r, len(row)) in self._pending:  # rowspans from above at the end of the row
            row.append("")


class _TableParser(HTMLParser):
    """Collects <table> cells into grids; a nested table is a table of its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self._stack: list[_Table] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table = _Table()
            self.tables.append(table)
            self._stack.append(table)
            return
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "tr":
            table.finish_cell()
            table.start_row()
        elif tag in {"td", "th"}:
            table.finish_cell()
            a = dict(attrs)
            table.cell = []
            table.span = (_span(a.get("colspan")), _span(a.get("rowspan")))
        elif tag == "br" and table.cell is not None:
            table.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        table = self._stack[-1]
        if tag in {"td", "th"}:
            table.finish_cell()
        elif tag == "tr":
            table.finish_cell()
            table.end_row()
        elif tag == "table":
            table.finish_cell()
            table.end_row()
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1].cell is not None:
            self._stack[-1].cell.append(data)

    def finish(self) -> None:
        for table in self._stack:
            table.finish_cell()
            table.end_row()


def _span(value: str | None) -> int:
    value = (value or "").strip()
    return min(max(int(value), 1), _MAX_SPAN) if value.isdigit() else 1


def _decode(raw: bytes) -> str:
    declared = _CHARSET.search(raw[:4096])
    encodings = ["utf-8-sig", "gb18030"]
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        if name in {"gb2312", "gbk", "gb18030"}:
            encodings = ["gb18030", "utf-8-sig"]
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("F1", "HTML 表格文件编码无法识别（应为 UTF-8 或 GB18030）")


def read_html_tables(path: Path) -> list[Sheet]:
    raw = path.read_bytes()
    text = _decode(raw)
    if "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096] and "<table" not in text:
        raise FileRejected(
            "F1", "文件是 Excel 2003 XML 表格，不受支持；请用 Excel 另存为 .xlsx 后重新报送"
        )
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
        parser.finish()
    except _TooLarge as exc:
        raise FileRejected("F4", f"网页表格{exc}") from exc
    tables = [t for t in parser.tables if len(t.rows) >= 2 and max(len(r) for r in t.rows) >= 2]
    if not tables:
        raise FileRejected("F1", "文件是网页（HTML）而不是电子表格，且其中没有可读取的表格")
    return [Sheet(name=f"table{i + 1}", rows=t.rows, merged=t.merged) for i, t in enumerate(tables)]
