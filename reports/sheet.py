"""One official-looking table sheet: the layout rules every sheet of the workbook shares.

Provincial offices print these tables and file them, so every sheet looks the
same: merged title, 数据截至 line, units line, bold bordered two-level header,
frozen header, A4 landscape one page wide, footnotes that define the figures.
Text from submissions is always written with `write_string`, never `write`,
so nothing a submitter typed can become a formula or a link.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports.context import ReportContext

FONT = "宋体"
HEADER_FONT = "黑体"
NUMBER_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "ratio": "0.0",
    "rate": "0.00",
    "date": "yyyy-mm-dd",
    "year": "0",
    "money": "#,##0.0",
    # 同比 rows: signed differences, percentage changes and percentage points.
    "delta": "+#,##0;-#,##0;0",
    "delta_money": "+#,##0.0;-#,##0.0;0.0",
    "delta_pct": "+0.0%;-0.0%;0.0%",
    "pp": '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"',
    "delta_rate": "+0.00;-0.00;0.00",
}
# How a column's kind is shown on a 同比 row: "diff" rows hold differences (rates in
# percentage points), "pct" rows the percentage change of counts (rates have none).
YOY_KINDS = {
    "diff": {
        "int": "delta",
        "money": "delta_money",
        "pct": "pp",
        "rate": "delta_rate",
        "ratio": "delta_rate",
    },
    "pct": {"int": "delta_pct", "money": "delta_pct"},
}
FILLS = {
    "red": "#F4B6B6",
    "yellow": "#FFE699",
    "green": "#C6E0B4",
    "section": "#EDEDED",
    "header": "#DDEBF7",
    "stale": "#FFF2CC",
}
MAX_WIDTH = {"text": 30, "wrap": 46}
NULL_TEXT = "—"


def display_width(text: str) -> int:
    """Columns a string needs: CJK and other wide characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: key into the row dicts, header label, optional parent header."""

    key: str
    label: str
    kind: str = "int"  # int | pct | ratio | rate | text | wrap | date
    group: str | None = None
    fill: str | None = None  # red | yellow | green: ageing colours
    alert: bool = False  # highlight values > 0 (overdue)
    stretch: bool = False  # last column only: merged to the sheet's right edge, wrapped
    span: int = 1  # sheet columns this column occupies (merged), to line up with other tables
    yoy: bool = True  # has a 同比 change (False for confidence bounds)

    def shown_as(self, row: dict) -> Column:
        """This column as a row shows it: on a 同比 row a count becomes a signed difference."""
        yoy = row.get("yoy")
        if not yoy or self.kind not in YOY_KINDS["diff"]:
            return self
        kind = YOY_KINDS[yoy].get(self.kind)
        return replace(self, kind=kind or "int", alert=False, fill=None)


class Formats:
    """Cell formats are created once per combination (Excel caps distinct formats)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            self._cache[key] = self.book.add_format(base | props)
        return self._cache[key]


def _text_of(value: Any, kind: str) -> str:
    """How a value will roughly look, to size the column."""
    if value is None:
        return NULL_TEXT
    if kind in ("int", "delta") and isinstance(value, int | float):
        return f"{value:+,.0f}" if kind == "delta" else f"{value:,.0f}"
    if kind in ("money", "delta_money") and isinstance(value, int | float):
        return f"{value:+,.1f}" if kind == "delta_money" else f"{value:,.1f}"
    if kind == "pp" and isinstance(value, int | float):
        return f"{value:+.1f}个百分点"
    if kind == "delta_pct" and isinstance(value, int | float):
        return f"{value * 100:+.1f}%"
    if kind == "pct" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind in ("ratio", "rate") and isinstance(value, int | float):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return "2025-03-15"
    return str(value)


class SheetBuilder:
    """Writes title, notices, tables and footnotes top to bottom on one worksheet."""

    def __init__(
        self,
        book: Workbook,
        formats: Formats,
        name: str,
        title: str,
        ctx: ReportContext,
        ncols: int,
        period_text: str | None = None,
    ) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.f = formats
        self.ctx = ctx
        self.ncols = max(ncols, 4)
        self.widths = [4] * self.ncols
        self.row = 0
        self._wrapped: list[tuple[int, int, str]] = []  # (row, first column, text)
        self._breaks: list[int] = []
        self._title(title, period_text or f"统计年度：{ctx.year}年，另列{ctx.all_years_label}")

    # --- page furniture -------------------------------------------------
    def _merge_text(self, text: str, fmt: Any, height: float | None = None) -> None:
        self.ws.merge_range(self.row, 0, self.row, self.ncols - 1, "", fmt)
        self.ws.write_string(self.row, 0, text, fmt)
        if height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def _title(self, title: str, period_text: str) -> None:
        fmt = self.f.get(bold=True, font_size=16, font_name=HEADER_FONT, align="center")
        self._merge_text(title, fmt, 32)
        if self.ctx.stale_notice:
            stale = self.f.get(
                bold=True, font_color="#C00000", bg_color=FILLS["stale"], align="center", border=1
            )
            self._merge_text(self.ctx.stale_notice, stale, 22)
        half = self.ncols // 2
        left = self.f.get(align="left")
        right = self.f.get(align="right")
        self.ws.merge_range(self.row, 0, self.row, half - 1, "", left)
        self.ws.write_string(self.row, 0, f"{period_text}　　数据截至：{self.ctx.as_of_text}", left)
        self.ws.merge_range(self.row, half, self.row, self.ncols - 1, "", right)
        self.ws.write_string(self.row, half, "单位：个、件、人、%", right)
        self.ws.set_row(self.row, 18)
        self.row += 1

    def page_break(self) -> None:
        """Start the next block on a new printed page (keeps a caption with its table)."""
        self._breaks.append(self.row)

    def caption(self, text: str) -> None:
        """A bold line above a secondary table (一、二、… on the 数据质量说明 sheet)."""
        self.row += 1
        self._merge_text(text, self.f.get(bold=True, font_size=11, font_name=HEADER_FONT), 20)

    # --- tables ---------------------------------------------------------
    def _layout(self, columns: Sequence[Column]) -> list[tuple[int, int]]:
        """(first, last) sheet column of each table column: spans and stretch merge cells."""
        spans, at = [], 0
        for col in columns:
            last = self.ncols - 1 if col.stretch else at + col.span - 1
            spans.append((at, last))
            at = last + 1
        return spans

    def table(
        self,
        columns: Sequence[Column],
        sections: Iterable[tuple[str | None, Sequence[dict]]],
        *,
        freeze: bool = False,
        repeat_header: bool = False,
        vmerge: Sequence[str] = (),
        empty_text: str = "无",
    ) -> None:
        """Two-level header, then rows; a section label becomes a full-width grey row."""
        layout = self._layout(columns)
        right = layout[-1][1]
        self._header(columns, layout)
        if freeze:
            self.ws.freeze_panes(self.row, 1)
        if repeat_header:
            self.ws.repeat_rows(self.row - 2, self.row - 1)
        wrote = False
        for label, rows in sections:
            if label:
                fmt = self.f.get(bold=True, bg_color=FILLS["section"], border=1, align="left")
                self.ws.merge_range(self.row, 0, self.row, right, "", fmt)
                self.ws.write_string(self.row, 0, label, fmt)
                self.row += 1
            self._rows(columns, layout, rows, vmerge)
            wrote = wrote or bool(rows)
        if not wrote:
            fmt = self.f.get(border=1, align="center")
            self.ws.merge_range(self.row, 0, self.row, right, "", fmt)
            self.ws.write_string(self.row, 0, empty_text, fmt)
            self.row += 1

    def _header(self, columns: Sequence[Column], layout: list[tuple[int, int]]) -> None:
        fmt = self.f.get(
            bold=True,
            font_name=HEADER_FONT,
            border=1,
            align="center",
            text_wrap=True,
            bg_color=FILLS["header"],
        )
        top, bottom = self.row, self.row + 1
        i = 0
        while i < len(columns):
            col = columns[i]
            first, last = layout[i]
            if col.group is None:
                self.ws.merge_range(top, first, bottom, last, "", fmt)
                self.ws.write_string(top, first, col.label, self._header_fmt(col, fmt))
                self._fit_header(first, last, col.label, lines=3)
                i += 1
                continue
            j = i
            while j < len(columns) and columns[j].group == col.group:
                a, b = layout[j]
                cell_fmt = self._header_fmt(columns[j], fmt)
                if b > a:
                    self.ws.merge_range(bottom, a, bottom, b, "", cell_fmt)
                self.ws.write_string(bottom, a, columns[j].label, cell_fmt)
                self._fit_header(a, b, columns[j].label, lines=2)
                j += 1
            group_last = layout[j - 1][1]
            if group_last > first:
                self.ws.merge_range(top, first, top, group_last, "", fmt)
            self.ws.write_string(top, first, col.group, fmt)
            self._grow(first, group_last, math.ceil(display_width(col.group) / 2) + 2)
            i = j
        self.ws.set_row(top, 28)
        self.ws.set_row(bottom, 28)
        self.row += 2

    def _grow(self, first: int, last: int, need: int) -> None:
        """Widen columns first..last evenly until together they are `need` wide."""
        have = sum(self.widths[first : last + 1])
        if need > have:
            n = last - first + 1
            for k in range(first, last + 1):
                self.widths[k] += math.ceil((need - have) / n)

    def _header_fmt(self, col: Column, base: Any) -> Any:
        if not col.fill:
            return base
        return self.f.get(
            bold=True,
            font_name=HEADER_FONT,
            border=1,
            align="center",
            text_wrap=True,
            bg_color=FILLS[col.fill],
        )

    def _cell_fmt(self, col: Column, value: Any, bold: bool) -> Any:
        props: dict[str, Any] = {"border": 1, "bold": bold}
        if col.kind in NUMBER_FORMATS:
            props["num_format"] = NUMBER_FORMATS[col.kind]
            props["align"] = "right"
        elif col.kind == "wrap":
            props |= {"text_wrap": True, "align": "left"}
        else:
            props["align"] = "center" if col.kind == "text" and value is None else "left"
        if value is None:
            props["align"] = "center"
        if col.fill and isinstance(value, int | float) and value > 0:
            props["bg_color"] = FILLS[col.fill]
        if col.alert and isinstance(value, int | float) and value > 0:
            props |= {"font_color": "#C00000", "bold": True, "bg_color": FILLS["red"]}
        return self.f.get(**props)

    def _rows(
        self,
        columns: Sequence[Column],
        layout: list[tuple[int, int]],
        rows: Sequence[dict],
        vmerge: Sequence[str],
    ) -> None:
        start = self.row
        for r in rows:
            bold = r.get("row_kind") == "total"
            for column, (first, last) in zip(columns, layout, strict=True):
                col = column.shown_as(r)
                if col.stretch:
                    self._stretched(first, col, r.get(col.key))
                    continue
                if last > first:
                    self.ws.merge_range(
                        self.row,
                        first,
                        self.row,
                        last,
                        "",
                        self._cell_fmt(col, r.get(col.key), bold),
                    )
                self.write_cell(self.row, first, col, r.get(col.key), bold, last)
            self.row += 1
        for key in vmerge:
            i = next(n for n, c in enumerate(columns) if c.key == key)
            self._vmerge(columns[i], layout[i][0], rows, start)

    def write_cell(
        self, row: int, col_no: int, col: Column, value: Any, bold: bool, last: int | None = None
    ) -> None:
        fmt = self._cell_fmt(col, value, bold)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.ws.write_string(row, col_no, NULL_TEXT, fmt)
            value = None
        elif isinstance(value, bool):
            self.ws.write_string(row, col_no, "是" if value else "否", fmt)
        elif isinstance(value, int | float) and col.kind in NUMBER_FORMATS:
            self.ws.write_number(row, col_no, value, fmt)
        elif isinstance(value, datetime | date):
            self.ws.write_datetime(
                row,
                col_no,
                datetime(value.year, value.month, value.day),
                self.f.get(border=1, num_format=NUMBER_FORMATS["date"], align="center", bold=bold),
            )
        else:
            self.ws.write_string(row, col_no, str(value), fmt)
        self._fit(col_no, _text_of(value, col.kind), col.kind, last)

    def _stretched(self, i: int, col: Column, value: Any) -> None:
        """Long text (file and reason) merged to the right edge; height set in finish()."""
        text = NULL_TEXT if value is None else str(value)
        fmt = self.f.get(border=1, text_wrap=True, align="left")
        self.ws.merge_range(self.row, i, self.row, self.ncols - 1, "", fmt)
        self.ws.write_string(self.row, i, text, fmt)
        self._wrapped.append((self.row, i, text))

    def kv_rows(
        self, rows: Sequence[tuple[str, str]], label: str = "项目", value: str = "情况"
    ) -> None:
        """A two-column 项目/情况 table whose value cell spans the sheet."""
        self.table(
            [Column("k", label, "text"), Column("v", value, "wrap", stretch=True)],
            [(None, [{"k": k, "v": v} for k, v in rows])],
        )

    def _vmerge(self, col: Column, i: int, rows: Sequence[dict], start: int) -> None:
        """Merge runs of equal values (a campaign's name over its level rows)."""
        n = 0
        while n < len(rows):
            m = n
            while m + 1 < len(rows) and rows[m + 1].get(col.key) == rows[n].get(col.key):
                m += 1
            if m > n:
                value = rows[n].get(col.key)
                self.ws.merge_range(
                    start + n, i, start + m, i, "", self._cell_fmt(col, value, False)
                )
                self.write_cell(start + n, i, col, value, False)
            n = m + 1

    def _fit_header(self, first: int, last: int, text: str, lines: int) -> None:
        """Header cells wrap: a long label needs 1/lines of its width (at least 4 CJK chars);
        a label with explicit line breaks needs its longest line."""
        if "\n" in text:
            need = max(display_width(line) for line in text.splitlines())
        else:
            width = display_width(text)
            need = width if width <= 8 else max(math.ceil(width / lines), 8)
        self._grow(first, last, need + 2)

    def _fit(self, col_no: int, text: str, kind: str = "text", last: int | None = None) -> None:
        limit = MAX_WIDTH.get(kind, 40)
        longest = max((display_width(line) for line in text.splitlines() or [""]), default=0)
        self._grow(col_no, last if last is not None else col_no, min(longest + 2, limit))

    # --- footnotes and print setup ---------------------------------------
    def footnotes(self, notes: Sequence[str]) -> None:
        self.row += 1
        fmt = self.f.get(text_wrap=True, align="left", valign="top", font_size=9)
        # Footnotes are 9 pt against the 11 pt the column width unit assumes.
        chars_per_line = max(int(sum(self.widths[: self.ncols]) * 1.25) - 4, 20)
        for n, note in enumerate(notes):
            text = ("注：" if n == 0 else "　　") + note
            lines = max(1, math.ceil(display_width(text) / chars_per_line))
            self._merge_text(text, fmt, 14 * lines + 4)

    def finish(self) -> None:
        for i, width in enumerate(self.widths):
            self.ws.set_column(i, i, width)
        for row, first, text in self._wrapped:
            width = max(sum(self.widths[first : self.ncols]) - 2, 10)
            lines = sum(max(1, math.ceil(display_width(p) / width)) for p in text.splitlines())
            self.ws.set_row(row, 14 * max(lines, 1) + 3)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)
        self.ws.center_horizontally()
        self.ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.ws.set_footer("&C第 &P 页，共 &N 页")
        self.ws.hide_gridlines(2)
        if self._breaks:
            self.ws.set_h_pagebreaks(self._breaks)
