"""Which rows under a header are detail rows (contract §3).

Blank rows are skipped; summary rows (合计, 小计 …) are neither data nor
quarantined; a note row (注：, 说明：, 填表说明) ends the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ingest.text import normalize_ref
from ingest.values import is_empty

SUMMARY_WORDS = ("合计", "小计", "总计", "全省", "全市", "全县", "全区")
_NOTE = re.compile(r"^(注|说明|填表说明|备注说明|审核人|填报人|制表人)\s*[0-9一-九]?\s*[:：.、]")
_NOTE_BARE = ("填表说明",)


def first_text(row: list[object]) -> str | None:
    for cell in row:
        if not is_empty(cell):
            return str(cell).strip()
    return None


@lru_cache(maxsize=1 << 14)
def _kind_of(text: str) -> str:
    """ "note", "summary" or "detail" for a row starting with `text`; memoised because the
    first cells of a ledger (序号, team names, codes) recur on many rows."""
    compact = normalize_ref(text)
    if _NOTE.match(compact) or compact.startswith(_NOTE_BARE):
        return "note"
    if compact in SUMMARY_WORDS or compact.endswith(("合计", "小计", "总计")):
        return "summary"
    return "detail"


def is_note_row(row: list[object]) -> bool:
    text = first_text(row)
    return text is not None and _kind_of(text) == "note"


def is_summary_row(row: list[object]) -> bool:
    text = first_text(row)
    return text is not None and _kind_of(text) == "summary"


def detail_rows(rows: list[list[object]], start: int) -> Iterator[tuple[int, list[object]]]:
    """Yield (Excel row number, cells) of the detail rows from `start` (0-based).

    A row is blank exactly when it has no first text, so one scan per row decides all three.
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
        yield index + 1, row
