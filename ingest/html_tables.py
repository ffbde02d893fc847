"""HTML tables saved with an .xls name (a common export of web systems).

Read them when they hold a real table; otherwise the file is rejected with F1.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ingest.readers import Sheet
from ingest.rules import FileRejected


class _TableParser(HTMLParser):
    """Collects <table> cells, honouring colspan so columns stay aligned."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[object]]] = []
        self._row: list[object] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._colspan = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._row.extend([""] * (min(self._colspan, 500) - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_html_tables(path: Path) -> list[Sheet]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected("F1", "HTML 表格文件编码无法识别")
    parser = _TableParser()
    parser.feed(text)
    tables = [t for t in parser.tables if len(t) >= 2 and max(len(r) for r in t) >= 2]
    if not tables:
        raise FileRejected("F1", "文件是网页（HTML）而不是电子表格，且其中没有可读取的表格")
    return [Sheet(name=f"table{i + 1}", rows=t) for i, t in enumerate(tables)]
