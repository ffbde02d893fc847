"""The demo province's world: regions, units, inspections, their problems and clues.

Plain records the generator fills (demo/province.py) and the ledgers are written from
(demo/ledgers.py); plus the few numeric helpers both need.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

CN_DIGITS = "零一二三四五六七八九"


# --------------------------------------------------------------------------- model


@dataclass(eq=False)
class Region:
    code: str
    name: str
    level: str  # 省 / 市 / 县
    parent: Region | None = None
    counties: list[Region] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    # office plan
    term_plan: list[tuple[int, int]] = field(default_factory=list)  # per year index: (届, 1st 轮)
    folder: str = ""
    style: str = "split"

    @property
    def short(self) -> str:
        return self.name[:-1]

    @property
    def word(self) -> str:
        return "巡视" if self.level == "省" else "巡察"

    @property
    def office(self) -> str:
        return f"{self.name}委{self.word}办"

    @property
    def office_long(self) -> str:
        return f"中共{self.name}委{self.word}工作领导小组办公室"

    @property
    def team_prefix(self) -> str:
        return {"省": "省委", "市": "市委", "县": "区委" if self.name.endswith("区") else "县委"}[
            self.level
        ]


@dataclass(eq=False)
class Unit:
    code: str
    name: str
    aliases: list[str]
    category: str
    region: Region
    mgmt: str
    party_word: str
    kind: str  # gov, mass, soe, inst, town, village


@dataclass(eq=False)
class Problem:
    code: str
    category: str
    desc: str
    common: bool
    immediate: bool
    status: str
    deadline: dt.date | None
    deadline_month_only: bool
    done: dt.date | None
    money: float | None
    rules: int | None


@dataclass(eq=False)
class Clue:
    code: str
    person: str
    title: str
    level: str
    transfer: dt.date
    target: str
    disposal: str
    filed: bool | None
    filed_date: dt.date | None
    punished: int | None


@dataclass(eq=False)
class Inspection:
    organiser: Region
    term: int
    rnd: int
    batch: int | None
    team: str
    unit: Unit
    modes: list[str]
    origins: list[Region]
    topic: str | None
    deploy: str | None
    entry: dt.date
    feedback: dt.date
    formation: str | None
    year: int
    problems: list[Problem] = field(default_factory=list)
    clues: list[Clue] = field(default_factory=list)


class Raw(str):
    """A literal cell value that bypasses rendering (used for the deliberate bad rows)."""


# --------------------------------------------------------------------------- helpers


def cn_numeral(n: int) -> str:
    """Chinese numeral for 0 < n < 100."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def poisson(rng: random.Random, lam: float) -> int:
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
