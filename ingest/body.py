"""Which rows under a header are detail rows (contract §3).

Blank rows are skipped; summary rows (合计, 小计 …) and (v2) the header pasted again
between two blocks of rows are neither data nor quarantined; a note row (注：, 说明：,
填表说明) ends the table. (v2) Cells merged in the body are filled first, so that the
rows under a merged 被巡察单位 or 届次 hold it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ingest.text import cell_text, normalize_header, normalize_ref
from ingest.values import is_empty

if TYPE_CHECKING:
    from ingest.headers import HeaderMatch

SUMMARY_WORDS = ("合计", "小计", "总计", "全省", "全市", "全县", "全区")
_NOTE = re.compile(r"^(注|说明|填表说明|备注说明|审核人|填报人|制表人)\s*[0-9一-九]?\s*[:：.、]")
_NOTE_BARE = ("填表说明",)

Merge = tuple[tuple[int, int], tuple[int, int]]


def first_text(row: list[object]) -> str | None:
    for cell in row:
        if cell is None:  # a blank cell, the usual first cell of a blank or indented row
            continue
        if not is_empty(cell):
            return str(cell).strip()
    return None


def _kind_of(text: str) -> str:
    """ "note", "summary" or "detail" for a row starting with `text`.

    A row starting with ASCII (a code, a number) is a detail row: every note and summary
    word is Chinese. That answers most rows without the memo, whose codes never recur.
    """
    return "detail" if text.isascii() else _kind_of_text(text)


@lru_cache(maxsize=1 << 14)
def _kind_of_text(text: str) -> str:
    """`_kind_of`, memoised because the first cells of a ledger (序号, team names) recur."""
    compact = normalize_ref(text)
    if _NOTE.match(compact) or compact.startswith(_NOTE_BARE):
        return "note"
    if compact in SUMMARY_WORDS or compact.endswith(("合计", "小计", "总计")):
        return "summary"
    return "detail"


@lru_cache(maxsize=1 << 14)
def _header_key(text: str) -> str:
    return normalize_header(text)


def _first_key(text: str) -> str:
    """`_header_key` of a row's first text; an ASCII text without whitespace, control
    characters or brackets is its own key (nothing to remove, fold or drop), which spares
    the memo the row codes that never recur."""
    if text.isascii() and text.isprintable() and " " not in text and ")" not in text:
        return text
    return _header_key(text)


def is_note_row(row: list[object]) -> bool:
    text = first_text(row)
    return text is not None and _kind_of(text) == "note"


def is_summary_row(row: list[object]) -> bool:
    text = first_text(row)
    return text is not None and _kind_of(text) == "summary"


def fill_body_merges(rows: list[list[object]], merged: Sequence[Merge], start: int) -> None:
    """Give every cell of a body merge the value of its top-left cell, in place (v2 §3).

    Only merges that begin at or below `start` (the first row after the header) are body
    merges: a header's merged parents stay as they are for `parent/child` flattening, and a
    merge begun in the header never writes a label into the data. A merge is clipped to the
    grid, which ends at the last row and column holding a value (`readers.trim_empty_edges`):
    one drawn out to XFD1048576 fills no more than the table there is.
    """
    if not rows:
        return
    width = max(len(row) for row in rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 < start or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if is_empty(value):
            continue
        last_col = min(c1, width - 1)
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= last_col:
                row.extend([None] * (last_col + 1 - len(row)))
            for c in range(c0, last_col + 1):
                row[c] = value


@dataclass(frozen=True, slots=True)
class HeaderEcho:
    """Recognises the header pasted again inside the body (v2 §3).

    A row is an echo when every non-empty cell equals, after header normalisation, the
    label of its own column (for a two-row header: the flattened label, its parent or its
    child, i.e. what either pasted header row holds) and every required column is non-empty.
    """

    accepted: tuple[frozenset[str], ...]  # per column: normalised texts a pasted header has
    any_label: frozenset[str]  # union of `accepted`: a cheap first test
    required: tuple[int, ...]  # column indexes of the template's required columns

    @classmethod
    def of(cls, rows: list[list[object]], match: HeaderMatch) -> HeaderEcho:
        header_rows = rows[match.header_row : match.data_start]
        accepted: list[frozenset[str]] = []
        for col, label in enumerate(match.labels):
            texts = {label, *label.split("/")}
            texts.update(cell_text(row[col]) for row in header_rows if col < len(row))
            accepted.append(frozenset(_header_key(t) for t in texts if t))
        required = tuple(sorted(i for i, c in match.columns.items() if c.required))
        return cls(tuple(accepted), frozenset().union(*accepted), required)

    def matches(self, row: list[object], first: str) -> bool:
        """True when `row` (whose first non-empty text is `first`) is the header again."""
        if _first_key(first) not in self.any_label:
            return False
        for idx in self.required:
            if idx >= len(row) or is_empty(row[idx]):
                return False
        for col, value in enumerate(row):
            if is_empty(value):
                continue
            if col >= len(self.accepted) or not isinstance(value, str):
                return False
            if _header_key(value) not in self.accepted[col]:
                return False
        return True


def detail_rows(
    rows: list[list[object]], start: int, echo: HeaderEcho | None = None
) -> Iterator[tuple[int, list[object]]]:
    """Yield (Excel row number, cells) of the detail rows from `start` (0-based).

    A row is blank exactly when it has no first text, so one scan per row decides all three.
    With `echo`, a header row pasted again is skipped like a summary row.
    """
    for index in range(start, len(rows)):
        row = rows[index]
        text = first_text(row)
        if text is None:
            continue
        kind = _kind_of(text)
        if kind == "note":
            return
        if kind == "summary":
            continue
        if echo is not None and echo.matches(row, text):
            continue
        yield index + 1, row
