"""Metadata lines above a header: 填报单位 and 填报日期 (contract §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.values import ValueParseError, parse_date

_SUBMITTER = re.compile(r"填报单位\s*[:：]\s*(.+?)(?=\s{2,}|\u3000|填报日期|$)")
_DATE = re.compile(r"填报日期\s*[:：]\s*(.+?)(?=\s{2,}|\u3000|填报单位|$)")


@dataclass(frozen=True, slots=True)
class SheetMetadata:
    submitter_text: str | None
    submission_date: date | None
    date_text: str | None  # kept so an unparseable date can be reported


def read_metadata(rows: list[list[object]]) -> SheetMetadata:
    """Scan the rows above the header; the first 填报单位 / 填报日期 found wins."""
    submitter: str | None = None
    date_text: str | None = None
    for row in rows:
        for cell in row:
            if not isinstance(cell, str) or "填报" not in cell:
                continue
            if submitter is None and (m := _SUBMITTER.search(cell)):
                submitter = m.group(1).strip() or None
            if date_text is None and (m := _DATE.search(cell)):
                date_text = m.group(1).strip() or None
    submission_date = None
    if date_text:
        try:
            submission_date = parse_date(date_text)
        except ValueParseError:
            submission_date = None
    return SheetMetadata(submitter, submission_date, date_text)
