"""Resubmission (contract §7): a later file replaces an earlier one scope by scope.

Corrections and deletions both take effect because the whole scope of the
later file wins — rows of the same scope in earlier files stop being current.
Earlier rows stay in the raw layer with `is_current = false` as history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ingest.resolve import FileOutcome, LoadedSheet, key_columns


@dataclass(frozen=True, slots=True)
class Recency:
    """Sort key of "later": 填报日期, then file modification time, then ingestion order."""

    submission_date: date
    mtime: datetime
    order: int

    def key(self) -> tuple[date, datetime, int]:
        return (self.submission_date, self.mtime, self.order)


def scope_keys(loaded: LoadedSheet, submitter: str) -> list[tuple]:
    """The §7 scope of each loaded row: the whole table, the row itself (its natural key)
    or the template's scope columns, always within the submitter."""
    template = loaded.template
    if template.scope == "table":
        return [(template.code,)] * len(loaded.rows)
    names = template.natural_key if template.scope == "row" else template.scope
    keys = key_columns(template, loaded.values, names, loaded.rows, submitter)  # type: ignore[arg-type]
    return [(template.code, submitter, *key) for key in keys]


def decide_current(
    outcomes: Iterable[FileOutcome], recency: dict[str, Recency]
) -> dict[int, list[bool]]:
    """Map id(LoadedSheet) → per loaded row, whether it stands; the latest file of each
    scope wins."""
    winners: dict[tuple, tuple[tuple, str]] = {}
    keyed: list[tuple[LoadedSheet, list[tuple], str]] = []
    for outcome in outcomes:
        sha = outcome.file.sha256
        rank = recency[sha].key()
        for loaded in outcome.loaded:
            scopes = scope_keys(loaded, outcome.submitter_code or "")
            keyed.append((loaded, scopes, sha))
            for scope in set(scopes):
                best = winners.get(scope)
                if best is None or rank > best[0]:
                    winners[scope] = (rank, sha)
    return {
        id(loaded): [winners[scope][1] == sha for scope in scopes] for loaded, scopes, sha in keyed
    }
