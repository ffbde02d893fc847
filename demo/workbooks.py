"""The workbooks each office sends: one reference workbook (R0, T0, T6) from the province,
then per office and year its ledgers — one file per template, one combined file, or a mix
(each office keeps its own habit) — with filler sheets and sheet names as clerks pick them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlsxwriter

from demo.model import Region
from demo.sheet import SHEET_TITLES

_SHEET_NAMES = {
    "R0": ["区划", "行政区划", "R0"],
    "T0": ["单位名录", "名录", "T0"],
    "T6": ["联动部署", "部署", "T6"],
    "T1": ["表1", "巡察安排", "Sheet1", "T1", "安排表"],
    "T2": ["表2", "问题台账", "Sheet2", "T2", "整改台账"],
    "T3": ["表3", "问题线索", "线索", "T3", "Sheet1"],
    "T4": ["表4", "汇总", "T4", "工作情况", "Sheet1"],
    "T5": ["表5", "联动", "T5", "成果联动"],
    "T7": ["共性问题清单", "共性问题", "T7", "清单"],
    "T8": ["对照自查", "自查情况", "T8", "自查表"],
}


class WorkbookWriter:
    """Writes the inbox's workbooks on the generator's shared state and seeded ``rng``."""

    # ------------------------------------------------------------------ files
    def _workbook(self, rel: str) -> xlsxwriter.Workbook:
        path = self.target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(rel)
        return xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
                "in_memory": True,
            },
        )

    def _sheet_name(self, tpl: str, used: set[str]) -> str:
        names = [n for n in _SHEET_NAMES[tpl] if n not in used] or [f"{tpl}_{len(used)}"]
        name = self.rng.choice(names)
        used.add(name)
        return name

    def write_reference(self) -> None:
        rng = self.rng
        p = self.province
        rel = f"{p.folder}/巡视巡察基础数据（区划、名录、联动部署）.xlsx"
        sub_date = dt.date(self.years[-1], 12, 28)
        level_words = {
            "省": ["省", "省级"],
            "市": ["市", "市级", "地市"],
            "县": ["县", "县级", "区县", "县（市、区）"],
        }
        r0 = [
            {
                "code": r.code,
                "name": r.name,
                "level": rng.choice(level_words[r.level]),
                "parent": r.parent.code if r.parent else None,
            }
            for r in self.regions
        ]
        cat_words = {
            "乡镇（街道）": ["乡镇（街道）", "乡镇（街道）", "乡镇(街道)"],
            "村（社区）": ["村（社区）", "村（社区）", "村(社区)"],
        }
        t0 = [
            {
                "code": u.code,
                "name": u.name,
                "aliases": u.aliases,
                "category": rng.choice(cat_words.get(u.category, [u.category])),
                "region": u.region.code,
                "mgmt": u.mgmt if rng.random() < 0.85 else f"{u.mgmt}干部",
            }
            for r in self.regions
            for u in r.units
        ]
        t6 = [
            {"code": c["code"], "name": c["name"], "start": c["start"], "planned": c["planned"]}
            for c in self.campaigns
        ]
        wb = self._workbook(rel)
        used: set[str] = set()
        for tpl, rows in (("R0", r0), ("T0", t0), ("T6", t6)):
            name = self._sheet_name(tpl, used)
            self._write_sheet(wb, name, tpl, rows, p, None, sub_date, rel)
        if "说明" not in used:
            ws = wb.add_worksheet("说明")
            ws.write_string(0, 0, "填报说明")
            ws.write_string(1, 0, "本工作簿含行政区划表、被巡视巡察单位名录、联动部署表。")
        wb.close()

    def write_office_year(
        self, office: Region, year: int, extra: dict[tuple[str, str, int], list[dict[str, Any]]]
    ) -> None:
        rng = self.rng
        code = office.code
        sheets: dict[str, tuple[list[dict[str, Any]], frozenset[str]]] = {}
        t1 = [self._t1_row(i) for i in self.by_org.get((code, year), [])]
        t1 += extra.get(("T1", code, year), [])
        if t1:
            force = set()
            if any(r["origins"] for r in t1):
                force.add("origins")
            if any(r["deploy"] for r in t1):
                force.update(("deploy", "topic"))
            sheets["T1"] = (t1, frozenset(force))
        for tpl, src, mk in (("T2", self.t2, self._t2_row), ("T3", self.t3, self._t3_row)):
            rows = [mk(i, x, office) for i, x in src.get((code, year), [])]
            rows += extra.get((tpl, code, year), [])
            if rows:
                force = frozenset({"org"}) if any(r["org"] for r in rows) else frozenset()
                sheets[tpl] = (rows, force)
        if (code, year) in self.t4_rows:
            sheets["T4"] = (self.t4_rows[(code, year)], frozenset())
        if (code, year) in self.t5_rows:
            sheets["T5"] = (self.t5_rows[(code, year)], frozenset())
        if (code, year) in self.t7_rows:
            sheets["T7"] = (self.t7_rows[(code, year)], frozenset())
        if (code, year) in self.t8_rows:
            rows8 = self.t8_rows[(code, year)]
            force8 = frozenset({"issuer"}) if any(r["issuer"] for r in rows8) else frozenset()
            sheets["T8"] = (rows8, force8)
        if not sheets:
            return
        if office.style == "combined":
            word = "巡视巡察" if office.level == "省" else "巡察"
            groups = [(f"{office.name}{year}年度{word}工作数据.xlsx", list(sheets))]
        elif office.style == "mixed":
            groups = [
                (
                    f"{year}年巡察安排表及工作情况汇总表.xlsx",
                    [t for t in ("T1", "T4") if t in sheets],
                ),
                (
                    f"{year}年发现问题及整改台账、问题线索移交及处置表.xlsx",
                    [t for t in ("T2", "T3") if t in sheets],
                ),
                (f"{year}年成果联动登记表.xlsx", [t for t in ("T5",) if t in sheets]),
                (
                    f"{year}年共性问题清单及对照自查表.xlsx",
                    [t for t in ("T7", "T8") if t in sheets],
                ),
            ]
        else:
            prefix = office.name if rng.random() < 0.3 else ""
            groups = [(f"{prefix}{year}年{SHEET_TITLES[t]}.xlsx", [t]) for t in sheets]
        sub_date = dt.date(year + 1, 1, rng.randint(5, 25))
        for fname, tpls in groups:
            if not tpls:
                continue
            sub = f"{year}年/" if rng.random() < 0.3 else ""
            rel = f"{office.folder}/{sub}{fname}"
            wb = self._workbook(rel)
            used: set[str] = set()
            if rng.random() < 0.5:
                self._maybe_filler_sheet(wb, used)
            for tpl in tpls:
                rows, force = sheets[tpl]
                name = self._sheet_name(tpl, used)
                self._write_sheet(wb, name, tpl, rows, office, year, sub_date, rel, force)
                if tpl == "T2":
                    self._maybe_stale_sheet(wb, name, rows, office, year, sub_date, rel, force)
            if rng.random() < 0.5:
                self._maybe_filler_sheet(wb, used)
            wb.close()
