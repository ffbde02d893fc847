"""The rows of each ledger as the generator plans them, per office and year: T1 from the
inspections, T2/T3 from their problems and clues, T4 summaries (equal to the §6 derived
figures except two deliberate mismatches), T5 linkages, T7 common problems with the T8
self-checks of their obligations, and at most five deliberately invalid rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from demo.model import Clue, Inspection, Problem, Raw, Region, Unit, month_end
from demo.province import CATEGORY_NAMES, CATEGORY_WEIGHTS, PROBLEM_CATEGORIES


class LedgerPlanner:
    """Plans ledger rows on the generator's shared state and seeded ``rng``."""

    # ------------------------------------------------------------------ rows per template
    def _index(self) -> None:
        self.by_org: dict[tuple[str, int], list[Inspection]] = {}
        for insp in self.inspections:
            self.by_org.setdefault((insp.organiser.code, insp.year), []).append(insp)

    @staticmethod
    def _t1_row(i: Inspection) -> dict[str, Any]:
        return {
            "term": i.term,
            "round": i.rnd,
            "batch": i.batch,
            "team": i.team,
            "unit": i.unit,
            "modes": i.modes,
            "origins": i.origins,
            "topic": i.topic,
            "deploy": i.deploy,
            "entry": i.entry,
            "feedback": i.feedback,
            "formation": i.formation,
            "_org": i.organiser,
            "_group": i.rnd,
        }

    @staticmethod
    def _ledger_row(i: Inspection, keeper: Region, code: str, **fields: Any) -> dict[str, Any]:
        """A T2/T3 row of inspection `i` as `keeper` files it (组织单位 empty: the keeper)."""
        return {
            "code": code,
            "org": None if i.organiser is keeper else i.organiser,
            "term": i.term,
            "round": i.rnd,
            "unit": i.unit,
            **fields,
            "_group": (i.organiser.code, i.term, i.rnd),
        }

    @classmethod
    def _t2_row(cls, i: Inspection, p: Problem, keeper: Region) -> dict[str, Any]:
        fields = {k: v for k, v in vars(p).items() if k not in ("code", "deadline_month_only")}
        return cls._ledger_row(i, keeper, p.code, **fields, _month_only=p.deadline_month_only)

    @classmethod
    def _t3_row(cls, i: Inspection, c: Clue, keeper: Region) -> dict[str, Any]:
        fields = {k: v for k, v in vars(c).items() if k != "code"}
        return cls._ledger_row(i, keeper, c.code, **fields)

    def plan_t4(self) -> None:
        """T4 rows of every office and year (a city's include its counties); 2 mismatches."""
        rng = self.rng
        self.t4_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
        empty = dict.fromkeys(
            ("n_insp", "n_prob", "n_done", "n_clue", "n_cadre", "n_case", "n_pun"), 0
        )
        for office in self.regions:
            for year in self.years:
                regions = [office, *office.counties] if office.level == "市" else [office]
                rows = []
                for reg in regions:
                    d = dict(self.derived.get((reg.code, year), empty))
                    for k in ("n_case", "n_pun"):
                        if rng.random() < 0.04:
                            d[k] = None  # not reported
                    rows.append({"region": reg, "year": year, **d})
                self.t4_rows[(office.code, year)] = rows
        labels = {
            "n_prob": "发现问题数",
            "n_clue": "移交问题线索数",
            "n_done": "整改完成数",
            "n_insp": "巡察党组织数",
        }
        city_rows = [
            (k, r)
            for k, rows in self.t4_rows.items()
            for r in rows
            if r["region"].level == "县" and k[0] != r["region"].code
        ]
        own_rows = [
            (k, r)
            for k, rows in self.t4_rows.items()
            for r in rows
            if k[0] == r["region"].code and r["region"].level == "县"
        ]
        picks = []
        if city_rows:
            picks.append((rng.choice(city_rows), "n_prob", rng.choice([2, 3, -2])))
        if own_rows:
            picks.append((rng.choice(own_rows), "n_clue", rng.choice([1, -1])))
        for ((sub_code, year), row), metric, delta in picks:
            derived = row[metric]
            reported = max(0, derived + delta)
            if reported == derived:
                reported = derived + 1
            row[metric] = reported
            self.t4_mismatches.append(
                {
                    "submitter_code": sub_code,
                    "region_code": row["region"].code,
                    "year": year,
                    "metric": labels[metric],
                    "reported": reported,
                    "derived": derived,
                    "difference": reported - derived,
                }
            )

    def plan_t5(self) -> None:
        rng = self.rng
        self.t5_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
        p = self.province
        for office in self.regions:
            prob = {"省": 0.6, "市": 0.45, "县": 0.3}[office.level]
            for year in self.years:
                src_pool = self.t2.get((office.code, year), [])
                if not src_pool or rng.random() >= prob:
                    continue
                rows = []
                for j in range(rng.randint(1, 3)):
                    insp, prob_ = rng.choice(src_pool)
                    dst_p = None
                    if office.level == "县":
                        if rng.random() < 0.7:
                            typ, dst = "向上报送", office.parent
                        else:
                            typ, dst = "写入巡视报告", p
                    elif office.level == "市":
                        if rng.random() < 0.7:
                            typ, dst = "共性问题推送", rng.choice(office.counties)
                        else:
                            typ, dst = "向上报送", p
                    else:
                        typ, dst = "向下交办", rng.choice(self.cities)
                    assert dst is not None
                    dst_pool = self.t2.get((dst.code, year), [])
                    if dst_pool and rng.random() < 0.5:
                        dst_p = rng.choice(dst_pool)[1].code
                    rows.append(
                        {
                            "code": f"LD{office.code}{year}{j + 1:02d}",
                            "type": typ,
                            "src": office,
                            "src_p": prob_.code,
                            "dst": dst,
                            "dst_p": dst_p,
                            "date": insp.feedback + dt.timedelta(days=rng.randint(5, 40)),
                            "adopt": rng.choices(["已采纳", "办理中", "未采纳"], [70, 20, 10])[0],
                        }
                    )
                self.t5_rows[(office.code, year)] = rows

    def _territory(self, office: Region) -> list[Unit]:
        """The units of an office's territory (§6 v2): its own region and the regions below."""
        regions = [office]
        if office.level == "省":
            regions = list(self.regions)
        elif office.level == "市":
            regions = [office, *office.counties]
        return [u for r in regions for u in r.units]

    def plan_common_problems(self) -> None:
        """T7 common problems from the province, every city and one county each year, and the
        T8 self-checks of their obligations (§6 v2), kept by the office of each unit's region:
        most answered on time, some late, some never."""
        rng = self.rng
        self.t7_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.t8_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
        offices = {r.code: r for r in self.regions}
        scopes = {
            "省": [["国有企业"], ["事业单位", "群团组织"], ["国有企业", "事业单位"]],
            "市": [["国有企业", "事业单位"], ["乡镇（街道）"], ["群团组织", "事业单位"]],
            "县": [["全部"], ["村（社区）"], ["乡镇（街道）", "村（社区）"]],
        }
        issuers = [self.province, *self.cities, self.counties[0]]
        for yi, year in enumerate(self.years):
            for office in issuers:
                term, first_round = office.term_plan[yi]
                for k in range(2 if office.level == "省" else 1):
                    code = f"GX{office.code}{year}{k + 1:02d}"
                    category = rng.choices(CATEGORY_NAMES, CATEGORY_WEIGHTS)[0]
                    scope = rng.choice(scopes[office.level])
                    push = dt.date(year, rng.randint(3, 9), rng.randint(1, 28))
                    month_only = rng.random() < 0.2
                    deadline: dt.date | None = push + dt.timedelta(days=rng.randint(45, 90))
                    if month_only:
                        deadline = month_end(deadline.year, deadline.month)
                    elif rng.random() < 0.15:
                        deadline = None
                    self.t7_rows.setdefault((office.code, year), []).append(
                        {
                            "cp_code": code,
                            "term": term,
                            "round": first_round + rng.randrange(2),
                            "category": category,
                            "desc": f"{rng.choice(PROBLEM_CATEGORIES[category])}（共性问题）",
                            "scope": scope,
                            "push": push,
                            "cp_deadline": deadline,
                            "_month_only": month_only,
                        }
                    )
                    self._plan_self_checks(office, code, scope, push, deadline, year, offices)

    def _plan_self_checks(
        self,
        issuer: Region,
        code: str,
        scope: list[str],
        push: dt.date,
        deadline: dt.date | None,
        year: int,
        offices: dict[str, Region],
    ) -> None:
        rng = self.rng
        units = [u for u in self._territory(issuer) if scope == ["全部"] or u.category in scope]
        answered = late = 0
        for u in units:
            if rng.random() < 0.12:
                continue  # never answered
            end = deadline or push + dt.timedelta(days=60)
            is_late = deadline is not None and rng.random() < 0.12
            if is_late:
                report = end + dt.timedelta(days=rng.randint(3, 40))
            else:
                report = push + dt.timedelta(days=rng.randint(3, max(3, (end - push).days)))
            similar = rng.random() < 0.4
            found = rng.randint(1, 4) if similar else 0
            keeper = offices[u.region.code]
            self.t8_rows.setdefault((keeper.code, year), []).append(
                {
                    "issuer": None if issuer is keeper else issuer,
                    "cp_code": code,
                    "unit": u,
                    "similar": similar,
                    "n_found": found,
                    "n_measures": found + rng.randint(0, 2) if similar else 0,
                    "n_completed": rng.randint(0, found),
                    "n_inst": rng.randint(0, 2),
                    "n_cases": 1 if similar and rng.random() < 0.1 else 0,
                    "report": report,
                    "_group": (issuer.code, code),
                }
            )
            answered += 1
            late += is_late
        self.common_problems.append(
            {
                "issuer_code": issuer.code,
                "common_problem_code": code,
                "obligations": len(units),
                "answered": answered,
                "late": late,
                "missing": len(units) - answered,
            }
        )

    def _mark_bad(
        self,
        extra: dict[tuple[str, str, int], list[dict[str, Any]]],
        where: tuple[str, str, int],
        row: dict[str, Any],
        rule: str,
        key: str,
        value: Any,
        reason: str,
    ) -> None:
        """Adds a deliberately invalid row to the ledger `where` (template, office, year); the
        summary names its column by the registry's header."""
        label = next(c.label for c in self.specs[where[0]] if c.key == key)
        row["_bad"] = {"rule": rule, "column": label, "value": value, "reason": reason}
        extra.setdefault(where, []).append(row)

    def plan_bad_rows(self) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
        """At most five deliberately invalid rows, all in one county's last-year ledgers."""
        rng = self.rng
        county = self.counties[0]
        year = self.years[-1]
        own = self.by_org.get((county.code, year), [])
        extra: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        if not own:
            return extra
        first = own[0]
        inspected = {id(i.unit) for i in own if i.rnd == first.rnd}
        spare = [u for u in county.units if u.kind != "village" and id(u) not in inspected]
        t1, t2, t3 = (
            ("T1", county.code, year),
            ("T2", county.code, year),
            ("T3", county.code, year),
        )
        if spare:
            u = rng.choice(spare)
            row = self._t1_row(first)
            row.update(unit=u, modes=["常规"], topic=None, deploy=None, origins=[], feedback=None)
            row.update(entry=Raw("待定"))
            self._mark_bad(extra, t1, row, "R2", "entry", "待定", "进驻日期 is not a date")
        row = self._t2_row(first, first.problems[0], county)
        bogus = f"{county.name}城市管理综合行政执法局"
        row.update(code=self._new_code("WT", county, year, 4), unit=Raw(bogus))
        self._mark_bad(extra, t2, row, "R1", "unit", bogus, "unit not in the T0 registry")
        orphan = Clue("", self._person(), "科长", "其他", first.entry + dt.timedelta(days=30),
                      "纪委监委", "初步核实", False, None, 0)  # fmt: skip
        row = self._t3_row(first, orphan, county)
        row.update(code=self._new_code("XS", county, year, 4), term=first.term - 2)
        reason = "orphan clue: no inspection of that unit in that 届次"
        self._mark_bad(extra, t3, row, "R5", "term", first.term - 2, reason)
        early = Clue("", self._person(), "副局长", "县管干部", first.entry + dt.timedelta(days=40),
                     "纪委监委", "立案审查调查", True, first.entry + dt.timedelta(days=25), 1)  # fmt: skip
        row = self._t3_row(first, early, county)
        row.update(code=self._new_code("XS", county, year, 4), _force="filed_date")
        filed = early.filed_date.isoformat() if early.filed_date else ""
        self._mark_bad(extra, t3, row, "R6", "filed_date", filed, "立案日期 before 移交日期")
        return extra
