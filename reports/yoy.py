"""同比 (year on year): the change of every yearly figure that also exists for the year before.

Contract §10: counts as a difference and a percentage, rates in percentage
points, computed from two published figures (this year's row and last year's
row of the same published table, matched by scope). Nothing else is derived here.
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.sheet import YOY_KINDS, Column

COUNT_KINDS = ("int", "money")
RATE_KINDS = ("pct", "rate", "ratio")


def _key(row: dict, key: Sequence[str]) -> tuple:
    return tuple(row.get(k) for k in key)


def change(kind: str, now: float | None, before: float | None) -> tuple[float | None, float | None]:
    """(difference, percentage change) of one figure: rates give percentage points and no
    percentage; a percentage change needs last year's count to be non-zero."""
    if now is None or before is None:
        return None, None
    if kind in RATE_KINDS:
        diff = (now - before) * 100 if kind == "pct" else now - before
        return diff, None
    diff = now - before
    return diff, (diff / before if before else None)


def yoy_rows(
    columns: Sequence[Column],
    current: Sequence[dict],
    previous: Sequence[dict],
    key: Sequence[str] = ("scope_code", "row_kind"),
) -> tuple[list[dict], list[dict]]:
    """Two row lists laid out like `current`: differences, then percentage changes.

    Text columns are copied (the 地区 label); a row with no previous-year row gets
    no figures (shown as —).
    """
    before = {_key(r, key): r for r in previous}
    diffs: list[dict] = []
    pcts: list[dict] = []
    for row in current:
        prev = before.get(_key(row, key))
        d = {k: row.get(k) for k in key} | {"yoy": "diff", "row_kind": row.get("row_kind")}
        p = {k: row.get(k) for k in key} | {"yoy": "pct", "row_kind": row.get("row_kind")}
        for col in columns:
            if col.kind not in YOY_KINDS["diff"]:
                d[col.key] = p[col.key] = row.get(col.key)
                continue
            if not col.yoy or prev is None:
                d[col.key] = p[col.key] = None
                continue
            d[col.key], p[col.key] = change(col.kind, row.get(col.key), prev.get(col.key))
        diffs.append(d)
        pcts.append(p)
    return diffs, pcts
