"""One template sheet as a clerk fills it in, for any template of the registry.

The columns come from demo/columns.py (registry headers and variants), the cells from
demo/cells.py; around the table a clerk adds what the reporting standard (contract §3)
allows: a title, ``填报单位/填报日期`` lines (or none, so the sub-folder names the
submitter), shuffled columns, header variants with line breaks, U+3000 and unit notes, a
two-row merged header where the registry has a ``parent/child`` variant, a ``序号``
column, an extra column ingest ignores, ``小计/合计`` rows and ``注：`` note rows. The layout
quirks of contract v2 (cells merged down, a header pasted again) are in demo/quirks.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from demo.cells import EXTRA_COLUMNS, CellStyle, renderers
from demo.columns import Spec, split_header
from demo.model import Region

# (template title in a sheet's title row)
SHEET_TITLES = {
    "R0": "行政区划表",
    "T0": "被巡视巡察单位名录",
    "T6": "联动部署表",
    "T1": "巡察安排表",
    "T2": "发现问题及整改台账",
    "T3": "问题线索移交及处置表",
    "T4": "工作情况汇总表",
    "T5": "成果联动登记表",
    "T7": "共性问题清单",
    "T8": "共性问题对照自查表",
}
REFERENCE_TEMPLATES = ("R0", "T0")  # no 序号 column in the reference tables
SUMMARY_TEMPLATE = "T4"  # a summary: unit line above the table, counts summed in its total
LEDGERS_WITH_SUBTOTALS = ("T1", "T2", "T3")
SUMMARY_UNIT_LINE = "单位：个、件"
NOTES = [
    "注：1.本表按巡视巡察数据报送规范填报；2.金额单位为万元。",
    "说明：数据统计截至填报日期。",
    "填表说明：问题类别、整改状态按规范填写。",
]

Line = tuple[str, list[Any], dict[str, Any] | None]  # (kind: row/head/sub/blank, cells, row)


class SheetWriter:
    """Writes template sheets on the generator's shared state and seeded ``rng``."""

    def _write_sheet(
        self,
        wb: xlsxwriter.Workbook,
        sheet_name: str,
        tpl: str,
        rows: list[dict[str, Any]],
        submitter: Region,
        year: int | None,
        sub_date: dt.date,
        relpath: str,
        force: frozenset[str] = frozenset(),
        stale: bool = False,
    ) -> Worksheet:
        """One template sheet as a clerk fills it in; `stale` = a superseded copy that is
        neither counted nor reported (it goes into a hidden sheet)."""
        ws = wb.add_worksheet(sheet_name)
        fmt = CellStyle(self.rng, submitter.level)
        force = force | {r["_force"] for r in rows if "_force" in r}
        cols, two_row = self._columns(tpl, force)
        keys = [c.key for c in cols]
        labels = [self._label(tpl, c) for c in cols]
        self._add_extras(tpl, cols, keys, labels)
        ncol = len(keys)
        r = self._preamble(ws, tpl, submitter, year, sub_date, ncol)
        r, flat = self._header(ws, r, cols, labels, two_row)
        lines, merges = self._lines(tpl, rows, fmt, submitter, keys, labels, stale, two_row)
        r = self._write_lines(wb, ws, r, lines, merges, labels, tpl, sheet_name, relpath, stale)
        if not stale:
            self.headers_written.append(
                {"file": relpath, "sheet": sheet_name, "template": tpl, "labels": flat}
            )
        r = self._totals(ws, r, tpl, rows, keys, submitter, ncol)
        self._notes(ws, r, ncol)
        return ws

    def _columns(self, tpl: str, force: frozenset[str]) -> tuple[list[Spec], bool]:
        """The columns this clerk writes, in the order written (shuffled, keeping the columns
        of a two-row header together), and whether they get a two-row header."""
        rng = self.rng
        spec = self.specs[tpl]
        cols = [c for c in spec if c.always or c.key in force or rng.random() < c.p]
        two_row = any(split_header(c) for c in spec) and rng.random() < 0.5
        pair_size = sum(1 for c in cols if split_header(c))
        blocks: list[list[Spec]] = []
        pair: list[Spec] = []
        for c in cols:
            if two_row and split_header(c):
                pair.append(c)
                if len(pair) == pair_size:
                    blocks.append(pair)
            else:
                blocks.append([c])
        if rng.random() < 0.55:
            rng.shuffle(blocks)
        elif len(blocks) > 3 and rng.random() < 0.5:
            i = rng.randrange(len(blocks) - 1)
            blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
        return [c for b in blocks for c in b], two_row

    def _add_extras(self, tpl: str, cols: list[Spec], keys: list[str], labels: list[str]) -> None:
        """Adds (in place) a leading ``序号`` column now and then, and an extra column ingest
        ignores (联系电话, 核实情况, 备注) at a random place."""
        rng = self.rng
        if rng.random() < 0.4 and tpl not in REFERENCE_TEMPLATES:
            self._insert(cols, keys, labels, 0, Spec("_seq", "序号", (), False, 1, ""))
        if rng.random() < 0.2:
            name = rng.choice(list(EXTRA_COLUMNS))
            pos = rng.randint(1, len(keys))
            self._insert(cols, keys, labels, pos, Spec("_extra", name, (), False, 1, ""))

    @staticmethod
    def _insert(cols: list[Spec], keys: list[str], labels: list[str], pos: int, c: Spec) -> None:
        cols.insert(pos, c)
        keys.insert(pos, c.key)
        labels.insert(pos, c.label)

    def _preamble(
        self,
        ws: Worksheet,
        tpl: str,
        submitter: Region,
        year: int | None,
        sub_date: dt.date,
        ncol: int,
    ) -> int:
        """Title, 填报单位/填报日期 metadata and blank rows above the header; returns the
        header's row."""
        rng = self.rng
        r = 0
        if rng.random() < 0.75:
            period = f"（{year}年度）" if year else ""
            title = f"{submitter.name}{SHEET_TITLES[tpl]}{period}"
            if ncol > 1 and rng.random() < 0.4:
                ws.merge_range(r, 0, r, ncol - 1, title)
            else:
                ws.write_string(r, 0, title)
            r += 1 + rng.choice([0, 0, 1, 2])
        colon = "：" if rng.random() < 0.7 else ":"
        who = rng.choices([submitter.office, submitter.office_long, submitter.code], [60, 20, 20])
        when = rng.choice(
            [
                f"{sub_date.year}年{sub_date.month}月{sub_date.day}日",
                f"{sub_date.year}.{sub_date.month}.{sub_date.day}",
                sub_date.isoformat(),
            ]
        )
        unit_meta, date_meta = f"填报单位{colon}{who[0]}", f"填报日期{colon}{when}"
        meta = rng.choices(
            ["one", "cells", "rows", "unit", "date", "none"], [40, 15, 15, 10, 10, 10]
        )[0]
        placed = {
            "one": [(0, 0, f"{unit_meta}\u3000\u3000\u3000{date_meta}")],
            "cells": [(0, 0, unit_meta), (0, max(ncol - 2, 1), date_meta)],
            "rows": [(0, 0, unit_meta), (1, 0, date_meta)],
            "unit": [(0, 0, unit_meta)],
            "date": [(0, 0, date_meta)],
            "none": [],
        }[meta]
        for dr, c, text in placed:
            ws.write_string(r + dr, c, text)
        r += 1 + max(dr for dr, _, _ in placed) if placed else 0
        if tpl == SUMMARY_TEMPLATE and rng.random() < 0.5:
            r += 1
            ws.write_string(r, 0, SUMMARY_UNIT_LINE)
            r += 1
        return r + rng.choice([0, 0, 1, 2])

    def _header(
        self, ws: Worksheet, r: int, cols: list[Spec], labels: list[str], two_row: bool
    ) -> tuple[int, list[str]]:
        """The header row(s); returns the first detail row and the header as ingest
        flattens it (§3: `parent/child`)."""
        flat = list(labels)
        if not two_row:
            ws.write_row(r, 0, labels)
            return r + 1, flat
        i = 0
        while i < len(cols):
            group = self._header_group(cols, i)
            if len(group) < 2:
                ws.merge_range(r, i, r + 1, i, labels[i])
                i += 1
                continue
            parent = group[0][0]
            children = [child for _, child in group]
            # the count's own child header may carry its unit, as 数量（件）
            children[0] = self.rng.choice([children[0], f"{children[0]}（{cols[i].note}）"])
            ws.merge_range(r, i, r, i + len(group) - 1, parent)
            for j, child in enumerate(children):
                ws.write_string(r + 1, i + j, child)
                flat[i + j] = f"{parent}/{child}"
            i += len(group)
        return r + 2, flat

    @staticmethod
    def _header_group(cols: list[Spec], i: int) -> list[tuple[str, str]]:
        """The (parent, child) headers of the run of columns from `i` that share one parent
        header in the registry (a lone column: a run of one or none)."""
        first = split_header(cols[i])
        if first is None:
            return []
        group = [first]
        for c in cols[i + 1 :]:
            nxt = split_header(c)
            if nxt is None or nxt[0] != first[0]:
                break
            group.append(nxt)
        return group

    def _lines(
        self,
        tpl: str,
        rows: list[dict[str, Any]],
        fmt: CellStyle,
        submitter: Region,
        keys: list[str],
        labels: list[str],
        stale: bool,
        two_row: bool,
    ) -> tuple[list[Line], list[tuple[int, int, int]]]:
        """The detail rows rendered, with 小计 rows, blank rows and a pasted header among
        them, laid out as lines first so that one unit's cells can be merged."""
        rng = self.rng
        render = renderers(rng, fmt, submitter, keys, self._extra_name(keys, labels))
        subtotal = tpl in LEDGERS_WITH_SUBTOTALS and rng.random() < 0.15
        merge_keys = [] if stale else self._merge_keys(tpl, keys)
        blank_p = 0.01 if rng.random() < 0.3 and not merge_keys else 0.0
        repeat_at = None if stale or two_row else self._repeat_header_at(tpl, rows)
        lines: list[Line] = []
        last_group = None
        group_n = 0
        for seq, row in enumerate(rows, 1):
            grp = row.get("_group")
            if subtotal and last_group is not None and grp != last_group:
                lines.append(("sub", self._subtotal(len(keys), group_n), None))
                group_n = 0
            if seq - 1 == repeat_at:
                lines.append(("head", list(labels), None))
            last_group = grp
            group_n += 1
            if blank_p and rng.random() < blank_p:
                lines.append(("blank", [], None))
            row["_seq"] = seq
            lines.append(("row", [f(row) for f in render], row))
        if subtotal and group_n:
            lines.append(("sub", self._subtotal(len(keys), group_n), None))
        return lines, self._merges(lines, keys, merge_keys)

    @staticmethod
    def _extra_name(keys: list[str], labels: list[str]) -> str | None:
        return labels[keys.index("_extra")] if "_extra" in keys else None

    @staticmethod
    def _subtotal(ncol: int, n: int) -> list[Any]:
        cells: list[Any] = [""] * ncol
        cells[0] = "小计"
        cells[-1] = f"共{n}条"
        return cells

    def _write_lines(
        self,
        wb: xlsxwriter.Workbook,
        ws: Worksheet,
        r: int,
        lines: list[Line],
        merges: list[tuple[int, int, int]],
        labels: list[str],
        tpl: str,
        sheet_name: str,
        relpath: str,
        stale: bool,
    ) -> int:
        """Writes the lines from row `r` (merged cells once, centred) and records what the
        summary reports: rows per template, deliberate bad rows, pasted headers, merges."""
        covered = {(i, c) for i0, i1, c in merges for i in range(i0 + 1, i1 + 1)}
        top = r
        where = {"file": relpath, "sheet": sheet_name}
        for i, (kind, cells, row) in enumerate(lines):
            for c, value in enumerate(cells):
                if (i, c) not in covered:
                    ws.write(r, c, value)
            if kind == "head" and not stale:
                self.repeated_headers.append({**where, "template": tpl, "row_number": r + 1})
            if kind == "row" and not stale:
                self.rows[tpl] += 1
                bad = row.get("_bad") if row else None
                if bad:
                    self.bad_rows.append({**where, "row_number": r + 1, "template": tpl, **bad})
            r += 1
        if merges:
            merge_format = wb.add_format({"valign": "vcenter"})
            for i0, i1, c in merges:
                ws.merge_range(top + i0, c, top + i1, c, "", merge_format)
                ws.write(top + i0, c, lines[i0][1][c], merge_format)
            self.merged_sheets.append(
                {
                    **where,
                    "template": tpl,
                    "rows": sum(1 for line in lines if line[0] == "row"),
                    "merges": len(merges),
                    "columns": sorted({labels[c] for _, _, c in merges}),
                }
            )
        return r

    def _totals(
        self,
        ws: Worksheet,
        r: int,
        tpl: str,
        rows: list[dict[str, Any]],
        keys: list[str],
        submitter: Region,
        ncol: int,
    ) -> int:
        """A 全省/全市/合计 row now and then: the counts summed in a summary, else 共N条."""
        rng = self.rng
        if not (rows and rng.random() < 0.6):
            return r
        word = {"省": "全省", "市": "全市", "县": "合计"}[submitter.level]
        cells: list[Any] = [""] * ncol
        cells[0] = rng.choice([word, "合计", "总计"])
        if tpl == SUMMARY_TEMPLATE:
            for i, k in enumerate(keys):
                if i and k.startswith("n_"):
                    cells[i] = sum(int(x.get(k) or 0) for x in rows)
        else:
            cells[-1] = f"共{len(rows)}条"
        ws.write_row(r, 0, cells)
        return r + 1

    def _notes(self, ws: Worksheet, r: int, ncol: int) -> None:
        """A 注：/说明： line below the table now and then, sometimes with a signature line."""
        rng = self.rng
        if rng.random() >= 0.4:
            return
        ws.write_string(r, 0, rng.choice(NOTES))
        if rng.random() < 0.5:
            ws.write_string(r + 1, 0, "审核人：")
            ws.write_string(r + 1, min(3, ncol - 1), f"联系电话：0{rng.randint(570, 599)}-8831204")

    def _label(self, tpl: str, c: Spec) -> str:
        """A header of column `c`: in turn its registry label and each of its variants, from
        a seeded start, so every variant in templates.yml shows up across the ledgers."""
        rng = self.rng
        turn = self.header_turn.get((tpl, c.key))
        if turn is None:
            turn = rng.randrange(2 * len(c.variants) + 1)
        self.header_turn[(tpl, c.key)] = turn + 1
        label = c.variants[(turn // 2) % len(c.variants)] if c.variants and turn % 2 else c.label
        if c.note and rng.random() < 0.35 and "（" not in label:
            label += rng.choice([f"（{c.note}）", f"({c.note})"])
        x = rng.random()
        if len(label) >= 3 and x < 0.25:
            i = rng.randrange(1, len(label) - 1)
            sep = "\n" if x < 0.15 else ("\u3000" if x < 0.21 else " ")
            label = label[:i] + sep + label[i:]
        return label
