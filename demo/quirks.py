"""The layout quirks of contract v2 (§3) the demo shows, so ingest meets them every run:
cells merged down one unit's rows in T2/T3/T8 ledgers, a header row pasted again inside a
T1/T2 table, a hidden and a very hidden stale copy of a T2 sheet, and filler sheets
(an empty Sheet3, a 说明 sheet).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlsxwriter

from demo.model import Raw, Region


class LayoutQuirks:
    """Decides and writes the quirks on the generator's shared state and seeded ``rng``."""

    def _merge_keys(self, tpl: str, keys: list[str | None]) -> list[str]:
        """Columns merged down the rows of one unit in this sheet (§3 v2), or none.

        Some T2/T3/T8 ledgers merge 被巡察单位/届次/轮次/组织单位 (T8: 下发单位,
        共性问题编号, 自查单位); the first such ledger always does, so every demo shows it."""
        mergeable = {
            "T2": ("unit", "term", "round", "org"),
            "T3": ("unit", "term", "round", "org"),
            "T8": ("issuer", "cp_code"),
        }.get(tpl)
        if not mergeable:
            return []
        first = not any(m["template"] == tpl for m in self.merged_sheets)
        if not first and self.rng.random() >= 0.3:
            return []
        return [k for k in mergeable if k in keys]

    @staticmethod
    def _merges(
        lines: list[tuple[str, list[Any], dict[str, Any] | None]],
        keys: list[str | None],
        merge_keys: list[str],
    ) -> list[tuple[int, int, int]]:
        """(first line, last line, column) of each vertical merge: a run of detail lines
        holding the same value of `key` (a deliberate bad row is never merged)."""

        def value(i: int, key: str) -> object:
            kind, _, row = lines[i]
            if kind != "row" or row is None or row.get("_bad"):
                return None
            v = row.get(key)
            return None if v is None or isinstance(v, Raw) else v

        out: list[tuple[int, int, int]] = []
        for key in merge_keys:
            c = keys.index(key)
            i = 0
            while i < len(lines):
                v = value(i, key)
                j = i
                while v is not None and j + 1 < len(lines) and value(j + 1, key) == v:
                    j += 1
                if j > i:
                    out.append((i, j, c))
                i = j + 1
        return out

    def _repeat_header_at(self, tpl: str, rows: list[dict[str, Any]]) -> int | None:
        """Index of the detail row before which the header is pasted again (§3 v2): in the
        first long enough T1/T2 sheet, then now and then, always at a group boundary."""
        if tpl not in ("T1", "T2") or len(rows) < 8:
            return None
        if self.repeated_headers and self.rng.random() >= 0.08:
            return None
        bounds = [
            i
            for i in range(len(rows) // 3, len(rows) * 2 // 3 + 1)
            if rows[i].get("_group") != rows[i - 1].get("_group")
        ]
        return bounds[0] if bounds else len(rows) // 2

    def _maybe_filler_sheet(self, wb: xlsxwriter.Workbook, used: set[str]) -> None:
        rng = self.rng
        x = rng.random()
        if x < 0.1 and "Sheet3" not in used:
            wb.add_worksheet("Sheet3")
            used.add("Sheet3")
        elif x < 0.2 and "说明" not in used:
            ws = wb.add_worksheet("说明")
            used.add("说明")
            ws.write_string(0, 0, "填报说明")
            ws.write_string(1, 0, "1.本工作簿按巡视巡察数据报送规范填报。")
            ws.write_string(2, 0, "2.各表数据口径见规范。")

    def _maybe_stale_sheet(
        self,
        wb: xlsxwriter.Workbook,
        name: str,
        rows: list[dict[str, Any]],
        office: Region,
        year: int,
        sub_date: dt.date,
        rel: str,
        force: frozenset[str],
    ) -> None:
        """Now and then (always once) a hidden copy of last month's ledger next to the current
        one (§3 v2): offices keep superseded copies there; ingest must not read it."""
        rng = self.rng
        if self.hidden_sheets and rng.random() >= 0.06:
            return
        good = [r for r in rows if not r.get("_bad")]
        stale = [
            {**r, "status": rng.choice(["整改中", "未整改"]) if rng.random() < 0.5 else r["status"]}
            for r in good[: max(1, len(good) * 2 // 3)]
        ]
        sheet = f"{name}（旧）"
        ws = self._write_sheet(
            wb, sheet, "T2", stale, office, year, sub_date - dt.timedelta(days=30), rel, force, True
        )
        very = len(self.hidden_sheets) % 2 == 1
        if very:
            ws.very_hidden()
        else:
            ws.hide()
        self.hidden_sheets.append(
            {"file": rel, "sheet": sheet, "template": "T2", "very_hidden": very, "rows": len(stale)}
        )
