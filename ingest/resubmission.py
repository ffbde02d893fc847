"""Resubmission (contract §7): a later file replaces an earlier one scope by scope.

Corrections and deletions both take effect because the whole scope of the
later file wins — rows of the same scope in earlier files stop being current.
Earlier rows stay in the raw layer with `is_current = false` as history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ingest.registry import Template, registry
from ingest.resolve import FileOutcome, LoadedRow, natural_key, organiser


@dataclass(frozen=True, slots=True)
class Recency:
    """Sort key of "later": 填报日期, then file modification time, then ingestion order."""

    submission_date: date
    mtime: datetime
    order: int

    def key(self) -> tuple[date, datetime, int]:
        return (self.submission_date, self.mtime, self.order)


def scope_key(template: Template, row: LoadedRow, submitter: str) -> tuple:
    if template.scope == "table":
        return (template.code,)
    if template.scope == "row":
        return (template.code, submitter, *natural_key(template, row.values, submitter))
    values = [
        organiser(row.values, submitter) if name == "organiser_code" else row.values.get(name)
        for name in template.scope
    ]
    return (template.code, submitter, *values)


def decide_current(outcomes: Iterable[FileOutcome], recency: dict[str, Recency]) -> dict[int, bool]:
    """Map id(LoadedRow) → whether it stands; the latest file of each scope wins."""
    reg = registry()
    winners: dict[tuple, tuple[tuple, str]] = {}
    keyed: list[tuple[LoadedRow, tuple, str]] = []
    for outcome in outcomes:
        sha = outcome.file.sha256
        rank = recency[sha].key()
        for row in outcome.loaded:
            scope = scope_key(reg.templates[row.template], row, outcome.submitter_code or "")
            keyed.append((row, scope, sha))
            best = winners.get(scope)
            if best is None or rank > best[0]:
                winners[scope] = (rank, sha)
    return {id(row): winners[scope][1] == sha for row, scope, sha in keyed}
