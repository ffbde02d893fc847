"""Demo province generator: writes an inbox of messy but valid submissions.

The fictional province 岚州省 (demo/province.py) is drawn from one seed, its ledgers
planned (demo/ledgers.py) and written as workbooks (demo/workbooks.py) whose sheets
(demo/sheet.py, demo/cells.py) use every header and variant of `ingest/templates.yml`
(demo/columns.py), with the layout quirks of contract v2 (demo/quirks.py).

All rows are valid except the few listed in the returned summary under ``bad_rows``;
T4 figures equal the derived figures of contract §6 except those listed under
``t4_mismatches``. The "true" clue-yield figures of contract §6 are computed from the
generated (valid) rows and returned under ``clue_yield``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from demo.columns import column_specs
from demo.ledgers import LedgerPlanner
from demo.model import Clue, Inspection, Problem
from demo.province import RESERVED_SYLLABLES, ProvinceBuilder
from demo.quirks import LayoutQuirks
from demo.sheet import SHEET_TITLES, SheetWriter
from demo.workbooks import WorkbookWriter
from ingest.registry import Registry, registry


class Generator(ProvinceBuilder, LedgerPlanner, SheetWriter, LayoutQuirks, WorkbookWriter):
    """One seeded run: the shared state every part of the generator reads and fills."""

    def __init__(
        self,
        target: Path,
        seed: int,
        years: tuple[int, ...],
        scale: float,
        problems_per_inspection: tuple[int, int] = (3, 8),
        reg: Registry | None = None,
    ) -> None:
        reg = reg or registry()
        if not years:
            raise ValueError("years must not be empty")
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.target = Path(target)
        self.rng = random.Random(seed)
        self.years = tuple(sorted(set(years)))
        self.scale = scale
        self.problems_per_inspection = problems_per_inspection
        self.used_names: set[str] = set()
        self.used_syl: set[str] = set(RESERVED_SYLLABLES)
        self.inspections: list[Inspection] = []
        # keeper (region code, year) -> list of (inspection, problem) / (inspection, clue)
        self.t2: dict[tuple[str, int], list[tuple[Inspection, Problem]]] = {}
        self.t3: dict[tuple[str, int], list[tuple[Inspection, Clue]]] = {}
        self.seq: dict[tuple[str, str, int], int] = {}
        self.derived: dict[tuple[str, int], dict[str, int]] = {}
        self.files: list[str] = []
        self.rows: dict[str, int] = {t: 0 for t in SHEET_TITLES}
        self.bad_rows: list[dict[str, Any]] = []
        self.t4_mismatches: list[dict[str, Any]] = []
        self.campaigns: list[dict[str, Any]] = []
        self.specs = column_specs(reg)
        self.header_turn: dict[tuple[str, str], int] = {}
        self.headers_written: list[dict[str, Any]] = []
        self.merged_sheets: list[dict[str, Any]] = []
        self.repeated_headers: list[dict[str, Any]] = []
        self.hidden_sheets: list[dict[str, Any]] = []
        self.common_problems: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ driver
    def run(self) -> dict[str, Any]:
        self.build_regions()
        self.build_units()
        self.plan_offices()
        self.build_campaigns()
        self.build_inspections()
        self._index()
        self.plan_t4()
        self.plan_t5()
        self.plan_common_problems()
        extra = self.plan_bad_rows()
        self.target.mkdir(parents=True, exist_ok=True)
        self.write_reference()
        for office in self.regions:
            for year in self.years:
                self.write_office_year(office, year, extra)
        cy = self.clue_yield()
        return {
            "seed": None,
            "years": list(self.years),
            "scale": self.scale,
            "province": {"code": self.province.code, "name": self.province.name},
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": r.level,
                    "parent": r.parent.code if r.parent else None,
                    "office": r.office,
                    "folder": r.folder,
                }
                for r in self.regions
            ],
            "units": sum(len(r.units) for r in self.regions),
            "campaigns": [
                {"code": c["code"], "name": c["name"], "start": c["start"].isoformat()}
                for c in self.campaigns
            ],
            "files_written": len(self.files),
            "files": sorted(self.files),
            "rows": dict(self.rows),
            "inspections": len(self.inspections),
            "problems": sum(len(i.problems) for i in self.inspections),
            "clues": sum(len(i.clues) for i in self.inspections),
            "clue_yield": cy,
            "true_ratio": cy["ratio_clues"],
            "true_ratio_county_cadre": cy["ratio_county_cadre_clues"],
            "t4_mismatches": self.t4_mismatches,
            "bad_rows": self.bad_rows,
            "common_problems": self.common_problems,
            "merged_sheets": self.merged_sheets,
            "hidden_sheets": self.hidden_sheets,
            "repeated_headers": self.repeated_headers,
            "headers": self.headers_written,
        }


def generate_demo_inbox(
    target: Path,
    *,
    seed: int = 7,
    years: tuple[int, ...] = (2022, 2023, 2024),
    scale: float = 1.0,
    problems_per_inspection: tuple[int, int] = (3, 8),
    reg: Registry | None = None,
) -> dict:
    """Write a demo inbox of .xlsx submissions for the fictional province 岚州省.

    ``scale`` multiplies the number of inspections (scale=1: a few hundred inspections
    over three years; scale=30: a real province's size). Deterministic for a given seed.
    ``problems_per_inspection`` is the (low, high) range of T2 problems drawn per inspection;
    the benchmark uses (10, 20) to reach a real province's ~15 problems per inspection.

    Returns a summary: files written (paths relative to ``target``), detail rows per
    template, inspections/problems/clues, the true clue yield of contract §6 (县管 units,
    对村（社区） inspections excluded) per group 交叉/非交叉 with their ratio
    (``true_ratio``), the deliberate T4 mismatches (W1) and the deliberate bad rows; and the
    contract-v2 layouts it shows: T7 common problems with their obligations answered, late
    and missing (``common_problems``), ledgers with cells merged down one unit's rows
    (``merged_sheets``), hidden stale sheets (``hidden_sheets``), header rows pasted again
    (``repeated_headers``) and every header written (``headers``, all from ``reg``, the
    template registry, by default ``ingest/templates.yml``).
    """
    gen = Generator(Path(target), seed, years, scale, problems_per_inspection, reg)
    summary = gen.run()
    summary["seed"] = seed
    return summary
