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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import polars as pl
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
NOTES_SHEET = "口径说明"
NOTES_POINTER = f"注：数据来源、统计口径和指标解释见“{NOTES_SHEET}”表。"
LONG_TABLE = 15  # rows: a table this long may run over a page, so its header repeats
ORPHAN_ROWS = 3  # never fewer than this many rows of a table alone on a page
# A4 landscape, margins 0.5" left/right and 0.6" top/bottom, footer: what a page holds (points,
# and column-width units of 10 pt text: about 7 px = 1.85 mm each).
PAGE_WIDTH_UNITS = (297 - 2 * 12.7) / 1.85
PAGE_HEIGHT_PT = (210 - 2 * 15.24) / 25.4 * 72 - 24
DEFAULT_ROW_PT = 15.0
MIN_SCALE = 0.75  # 10 pt text printed at no less than 7.5 pt: wider tables are split

# Technical words a leader should not meet in a printout, and what the 口径说明 says instead.
PLAIN_WORDS = (
    ("已发布数据仓库 published.duckdb", "已发布的数据仓库"),
    ("published.duckdb", "已发布的数据仓库"),
    ("（发布前经质量检查 B3 核对）", "（发布前已逐项核对）"),
    ("分层调整后之比为 Mantel–Haenszel 估计：", "分层调整后之比："),
    ("Mantel–Haenszel 估计", "分层加权估计"),
    ("Mantel–Haenszel", "分层加权"),
    ("置信区间用 Greenland–Robins 方差。", "并据此计算置信区间。"),
    ("Greenland–Robins 方差", "相应的方差"),
    ("Greenland–Robins", "相应"),
    ("隔离明细见已发布仓库 quarantine 表", "隔离明细见各单位的退回修改清单"),
    (
        "按泊松率之比的对数法：exp(ln RR ± 1.96×√(1/c₁ + 1/c₀))，c₁、c₀ 分别为交叉、非交叉巡察的线索数；",
        "由交叉、非交叉两组的线索数算出（比值的对数加减1.96倍标准误）；",
    ),
)


def plain_chinese(text: str) -> str:
    """A note as a leader reads it: no file names, rule codes of the gate or estimator names."""
    import re

    for technical, plain in PLAIN_WORDS:
        text = text.replace(technical, plain)
    return re.sub(r"质量检查 ?B[1-4]", "质量检查", text)


@lru_cache(maxsize=1 << 16)
def display_width(text: str) -> int:
    """Columns a string needs: CJK and other wide characters count 2.

    Cached, ASCII by length: a long list sheet asks for the same names, dates and
    numbers' widths hundreds of thousands of times (most of a report's Python time)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@lru_cache(maxsize=1 << 16)
def longest_line_width(text: str) -> int:
    """Display width of the widest line of `text` (0 for an empty text)."""
    return max((display_width(line) for line in text.splitlines() or [""]), default=0)


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


class FrameRows(Sequence[dict]):
    """A polars frame read as row dicts a slice at a time, for a long table.

    `SheetBuilder.table` goes over a table's rows twice (column widths, then cells); as one
    list of dicts the overdue list alone (~195k rows at scale 10) held several hundred MB of
    Python objects while the sheet was written. Each pass here converts SLICE rows at a
    time; the cells written are the same as from `frame.to_dicts()`.
    """

    SLICE = 10_000

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.height

    def __iter__(self) -> Iterator[dict]:
        for part in self.frame.iter_slices(self.SLICE):
            yield from part.to_dicts()

    def __getitem__(self, i: int) -> dict:  # type: ignore[override]  # no slices needed
        return self.frame.row(i, named=True)


TABLE_BASE = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
# a cell the reader must change (a feedback workbook's offending value)
MARKED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}


class Formats:
    """Cell formats are created once per combination (Excel caps distinct formats)."""

    def __init__(self, book: Workbook, base: dict[str, Any] | None = None) -> None:
        self.book = book
        self.base = TABLE_BASE if base is None else base
        self._cache: dict[tuple, Any] = {}
        # a table cell's format by what decides it (SheetBuilder._cell_fmt), one lookup per cell
        self.cells: dict[tuple, Any] = {}
        # (sheet name, sheet title, notes in plain Chinese) for the 口径说明 sheet
        self.notes: list[tuple[str, str, list[str]]] = []

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(self.base | props)
        return self._cache[key]


def wrapped_lines(parts: Iterable[str], width: float) -> int:
    """Printed lines of text (its `parts`, one per line break) wrapped `width` narrow
    characters wide; an empty part is still a line."""
    return sum(max(1, math.ceil(display_width(part) / width)) for part in parts)


def print_setup(
    ws: Worksheet,
    *,
    footer: str,
    margins: float = 0.5,
    header_rows: int = 0,
    centred: bool = False,
    gridlines: bool = True,
) -> None:
    """How every sheet prints: A4 landscape, one page wide, page numbers in the footer,
    the first `header_rows` rows on every page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if centred:
        ws.center_horizontally()
    ws.set_margins(left=margins, right=margins, top=0.6, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_footer(footer)
    if not gridlines:
        ws.hide_gridlines(2)


class ListSheet:
    """A plain list a clerk works through (the feedback workbooks): fixed-width columns,
    header rows, wrapped cells as tall as their text, and each cell to change marked red
    with what to do as its comment; printed as the report tables are (`print_setup`).
    Text is written with `write_string`, as everywhere in this module."""

    FOOTER = "&C第 &P 页，共 &N 页"

    def __init__(
        self, book: Workbook, formats: Formats, name: str, widths: Sequence[float] = ()
    ) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.f = formats
        self.widths = list(widths)
        for c, width in enumerate(self.widths):
            self.ws.set_column(c, c, width)
        border = {"valign": "top", "border": 1}
        self.title = formats.get(bold=True, font_size=14, font_name=HEADER_FONT)
        self.head = formats.get(
            bold=True,
            bg_color=FILLS["header"],
            border=1,
            text_wrap=True,
            valign="vcenter",
            align="center",
        )
        self.wrap = formats.get(text_wrap=True, **border)
        self.plain = formats.get(**border)
        self.marked = formats.get(text_wrap=True, **border, **MARKED)
        self.text = formats.get(text_wrap=True, valign="top")

    def print_as_list(self, header_rows: int) -> None:
        print_setup(self.ws, footer=self.FOOTER, margins=0.4, header_rows=header_rows)

    def header(self, row: int, labels: Sequence[str]) -> None:
        for c, label in enumerate(labels):
            self.ws.write_string(row, c, label, self.head)

    def mark(self, row: int, col: int, value: str | int, note: str) -> None:
        """The cell to change: red, with `note` (what is wrong, how to fix) as its comment."""
        if isinstance(value, str):
            self.ws.write_string(row, col, value, self.marked)
        else:
            self.ws.write_number(row, col, value, self.marked)
        self.ws.write_comment(row, col, note, {"x_scale": 3, "y_scale": 2.5, "font_name": FONT})

    def fit(self, row: int, cells: Sequence[tuple[str, float]], line: float = 14.0) -> None:
        """The row as tall as the most wrapped of its (text, column width) cells."""
        self.ws.set_row(row, row_height(cells, line))


def row_height(cells: Sequence[tuple[str, float]], line: float = 14.0) -> float:
    """Height of a row whose wrapped cells (text, column width) must all show in full: a
    column `w` wide holds about `w - 1` narrow characters."""
    lines = [wrapped_lines(str(t).split("\n"), max(int(w) - 1, 1)) for t, w in cells]
    return line * max(lines or [1]) + 3


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
    if kind == "delta_rate" and isinstance(value, int | float):
        return f"{value:+.2f}"
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
        self.name = name
        self.title = title
        self.f = formats
        self.ctx = ctx
        self.ncols = max(ncols, 4)
        self.widths = [4] * self.ncols
        self.row = 0
        self._wrapped: list[tuple[int, int, str]] = []  # (row, first column, text)
        self._breaks: list[int] = []
        self._heights: dict[int, float] = {}  # rows given a height (the rest: DEFAULT_ROW_PT)
        self._tables: list[tuple[int, int, int]] = []  # (header row, first body row, end row)
        self._keep: list[tuple[int, int]] = []  # (first, last) rows printed on one page
        self._repeat: tuple[int, int] | None = None
        self._no_repeat = False  # a split (续表) sheet repeats no header (see table())
        self._used_cols: list[int] = []  # last sheet column of each table written
        self._tail_extra: dict[int, int] = {}  # table top → rows after it kept with its tail
        self._period_line: tuple[str, int] | None = None  # (text, last column) of line 2
        self._title(title, period_text or f"统计年度：{ctx.year}年，另列{ctx.all_years_label}")

    # --- page furniture -------------------------------------------------
    def _merge_text(self, text: str, fmt: Any, height: float | None = None) -> None:
        self.ws.merge_range(self.row, 0, self.row, self.ncols - 1, "", fmt)
        self.ws.write_string(self.row, 0, text, fmt)
        if height:
            self.set_height(self.row, height)
        self.row += 1

    def set_height(self, row: int, height: float) -> None:
        """A row's height, remembered for the page breaks finish() works out."""
        self.ws.set_row(row, height)
        self._heights[row] = height

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
        line = f"{period_text}　　数据截至：{self.ctx.as_of_text}"
        self.ws.write_string(self.row, 0, line, left)
        self._period_line = (line, half - 1)
        self.ws.merge_range(self.row, half, self.row, self.ncols - 1, "", right)
        self.ws.write_string(self.row, half, "单位：个、件、人、%", right)
        self.set_height(self.row, 18)
        self.row += 1

    def page_break(self) -> None:
        """Start the next block on a new printed page (keeps a caption with its table)."""
        self._breaks.append(self.row)

    def caption(self, text: str) -> None:
        """A bold line above a secondary table (一、二、… on the 数据质量说明 sheet)."""
        self.row += 1
        self._caption_row = self.row
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
        """Two-level header, then rows; a section label becomes a full-width grey row.

        A table too wide to print at MIN_SCALE on one A4 width is split: its leading
        text columns, then as many of the others as fit, the rest in a 续表 below.
        """
        sections = [
            (label, rows if isinstance(rows, FrameRows) else list(rows)) for label, rows in sections
        ]
        parts = self._split(columns, sections)
        if len(parts) > 1:
            # Print titles are one per sheet: over a 续表 they would show the wrong columns,
            # so the parts repeat no header; each 续表 starts a page under its own header.
            self._no_repeat = True
            for n, part in enumerate(parts):
                if n:
                    self.row += 1
                    self.page_break()  # the caption row starts the page
                    self._caption_row = self.row
                    bold = self.f.get(bold=True, font_size=11, font_name=HEADER_FONT)
                    self._merge_text(f"（续表{n}）", bold, 20)
                keys = {c.key for c in part}
                self.table(
                    part,
                    sections,
                    freeze=freeze and n == 0,
                    vmerge=[k for k in vmerge if k in keys],
                    empty_text=empty_text,
                )
            return
        layout = self._layout(columns)
        right = layout[-1][1]
        self._used_cols.append(right)
        caption = getattr(self, "_caption_row", None)
        header_row = self.row
        self._header(columns, layout)
        if freeze:
            self.ws.freeze_panes(self.row, 1)
        long = sum(len(rows) + (1 if label else 0) for label, rows in sections) > LONG_TABLE
        if (repeat_header or long) and self._repeat is None and not self._no_repeat:
            # one set of print titles per sheet (Excel's limit): the first long table's
            self._repeat = (self.row - 2, self.row - 1)
            self.ws.repeat_rows(*self._repeat)
        first_body = self.row
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
        top = caption if caption is not None and caption >= header_row - 2 else header_row
        self._tables.append((top, first_body, self.row))
        self._caption_row = None

    def _estimate(
        self, columns: Sequence[Column], sections: list[tuple[str | None, list]]
    ) -> list[int]:
        """Roughly the width each column will need (header and values), before writing."""
        widths = []
        for col in columns:
            if "\n" in col.label:
                need = max(display_width(line) for line in col.label.splitlines())
            else:
                w = display_width(col.label)
                need = w if w <= 8 else max(math.ceil(w / (2 if col.group else 3)), 8)
            need += 2
            limit = MAX_WIDTH.get(col.kind, 40)
            for _label, rows in sections:
                for r in rows:
                    shown = col.shown_as(r)
                    longest = longest_line_width(_text_of(r.get(shown.key), shown.kind))
                    need = max(need, min(longest + 2, limit))
            widths.append(need * col.span)
        return widths

    def _split(
        self, columns: Sequence[Column], sections: list[tuple[str | None, list]]
    ) -> list[list[Column]]:
        """Column groups that each print at MIN_SCALE or larger (one group: no split)."""
        if any(c.stretch for c in columns):
            return [list(columns)]
        widths = self._estimate(columns, sections)
        room = 0.9 * PAGE_WIDTH_UNITS / MIN_SCALE  # 0.9: headers and title lines add a little
        if sum(widths) <= room:
            return [list(columns)]
        lead = 0
        while lead < len(columns) - 1 and columns[lead].kind in ("text", "wrap"):
            lead += 1
        lead = max(lead, 1)
        head, head_w = list(columns[:lead]), sum(widths[:lead])
        parts: list[list[Column]] = []
        current: list[Column] = []
        used = head_w
        i = lead
        while i < len(columns):
            j = i  # a header group stays together
            while (
                j + 1 < len(columns)
                and columns[i].group
                and columns[j + 1].group == columns[i].group
            ):
                j += 1
            block, block_w = list(columns[i : j + 1]), sum(widths[i : j + 1])
            if current and used + block_w > room:
                parts.append(head + current)
                current, used = [], head_w
            current += block
            used += block_w
            i = j + 1
        if current:
            parts.append(head + current)
        return parts

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
        self.set_height(top, 28)
        self.set_height(bottom, 28)
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
        """A body cell's format: decided by the column, bold, and whether the value is
        missing or a positive number; looked up per cell, built once per combination."""
        positive = isinstance(value, int | float) and value > 0
        key = (col.kind, col.fill, col.alert, bold, value is None, positive)
        fmt = self.f.cells.get(key)
        if fmt is None:
            fmt = self.f.cells[key] = self._new_cell_fmt(col, value, bold)
        return fmt

    def _new_cell_fmt(self, col: Column, value: Any, bold: bool) -> Any:
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
        self._grow(
            col_no, last if last is not None else col_no, min(longest_line_width(text) + 2, limit)
        )

    # --- footnotes and print setup ---------------------------------------
    def footnotes(self, notes: Sequence[str]) -> None:
        """The sheet's notes go to the 口径说明 sheet in plain Chinese; here, one pointer line."""
        self.f.notes.append((self.name, self.title, [plain_chinese(n) for n in notes]))
        self.row += 1
        fmt = self.f.get(align="left", valign="top", font_size=10)
        self._merge_text(NOTES_POINTER, fmt, 18)
        if self._tables:  # printed with the last rows of the table above, never alone
            top, body, end = self._tables[-1]
            self._tables[-1] = (top, body, self.row)
            self._tail_extra[top] = self.row - end

    def finish(self) -> None:
        used = max((end for end in self._used_cols), default=self.ncols - 1)
        for i in range(used + 1, self.ncols):  # columns only a split table's title spans
            self.widths[i] = 1
        if self._period_line is not None:  # "数据截至：2025年4月1日" must not be cut
            text, last = self._period_line
            self._grow(0, last, display_width(text) + 2)
        for i, width in enumerate(self.widths):
            self.ws.set_column(i, i, width)
        for row, first, text in self._wrapped:
            width = max(sum(self.widths[first : self.ncols]) - 2, 10)
            lines = wrapped_lines(text.splitlines(), width)
            self.set_height(row, 14 * max(lines, 1) + 3)
        print_setup(
            self.ws, footer=f"&C{self.name}　第 &P 页，共 &N 页", centred=True, gridlines=False
        )
        self.ws.set_h_pagebreaks(self.page_breaks())

    def _height(self, row: int) -> float:
        return self._heights.get(row, DEFAULT_ROW_PT)

    def page_breaks(self) -> list[int]:
        """Rows before which a new page starts: the asked-for breaks, and where a page fills.

        The scale is the one "one page wide" gives; a page holds PAGE_HEIGHT_PT of scaled
        rows, less the repeated header. A table never leaves fewer than ORPHAN_ROWS rows on
        a page of their own, and a caption stays with its table's header and first rows.
        """
        scale = min(1.0, PAGE_WIDTH_UNITS / max(sum(self.widths), 1))
        room = PAGE_HEIGHT_PT / scale
        repeat = (
            sum(self._height(r) for r in range(self._repeat[0], self._repeat[1] + 1))
            if self._repeat
            else 0.0
        )
        starts = {top: (body, end) for top, body, end in self._tables}
        asked = set(self._breaks)
        breaks: list[int] = []
        used = 0.0
        row = 0
        while row < self.row:
            if row in asked and row > 0 and used > 0:
                breaks.append(row)
                used = repeat if self._repeat and row > self._repeat[1] else 0.0
            block = self._block(row, starts)
            need = sum(self._height(r) for r in range(row, row + block))
            if used + need > room and used > repeat and row > 0:
                breaks.append(row)
                used = repeat if self._repeat and row > self._repeat[1] else 0.0
            used += need
            row += block
        return sorted(set(breaks))

    def _block(self, row: int, starts: dict[int, tuple[int, int]]) -> int:
        """Rows that must stay together from `row`: a caption/header with ORPHAN_ROWS body
        rows, a table's last ORPHAN_ROWS rows, else the row alone."""
        if row in starts:
            body, end = starts[row]
            return min(body + ORPHAN_ROWS, end) - row
        for top, body, end in self._tables:
            tail = max(body, end - ORPHAN_ROWS - self._tail_extra.get(top, 0))
            if row == tail and end - body > ORPHAN_ROWS:
                return end - row
        return 1


def write_notes_sheet(book: Workbook, formats: Formats, ctx: ReportContext) -> None:
    """口径说明: every sheet's notes in plain Chinese, under the sheet's name."""
    ws = book.add_worksheet(NOTES_SHEET)
    width = 120
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, width)
    title = formats.get(bold=True, font_size=16, font_name=HEADER_FONT, align="center")
    head = formats.get(bold=True, font_size=12, font_name=HEADER_FONT, align="left")
    body = formats.get(text_wrap=True, align="left", valign="top", font_size=11)
    ws.merge_range(0, 0, 0, 1, "", title)
    ws.write_string(0, 0, f"{ctx.province_name}巡视巡察工作统计表口径说明", title)
    ws.set_row(0, 32)
    row = 1
    if ctx.stale_notice:  # as on every other sheet (SheetBuilder._title)
        stale = formats.get(
            bold=True, font_color="#C00000", bg_color=FILLS["stale"], align="center", border=1
        )
        ws.merge_range(row, 0, row, 1, "", stale)
        ws.write_string(row, 0, ctx.stale_notice, stale)
        ws.set_row(row, 22)
        row += 1
    left = formats.get(align="left")
    ws.merge_range(row, 0, row, 1, "", left)
    ws.write_string(row, 0, f"统计年度：{ctx.year}年　　数据截至：{ctx.as_of_text}", left)
    ws.set_row(row, 18)
    ws.repeat_rows(0, row)
    row += 2
    numerals = "一二三四五六七八九十"
    for n, (sheet, _title, notes) in enumerate(formats.notes):
        label = numerals[n] if n < len(numerals) else str(n + 1)
        ws.merge_range(row, 0, row, 1, "", head)
        ws.write_string(row, 0, f"{label}、{sheet}", head)
        ws.set_row(row, 22)
        row += 1
        for k, note in enumerate(notes, start=1):
            ws.write_string(row, 0, f"{k}.", body)
            ws.write_string(row, 1, note, body)
            lines = max(1, math.ceil(display_width(note) / (width - 4)))
            ws.set_row(row, 16 * lines + 4)
            row += 1
        row += 1
    ws.merge_range(row, 0, row, 1, "", body)
    ws.write_string(row, 0, "注：各表只列数字，数字的来源与计算方法以本表为准。", body)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
    ws.set_footer(f"&C{NOTES_SHEET}　第 &P 页，共 &N 页")
    ws.hide_gridlines(2)
