"""Cell rendering: how one clerk writes dates, ordinals, counts, money, booleans and
references (each sheet keeps its own habits), and the renderer of each generator field.

Everything written here is a spelling the reporting standard (contract §3–§4) allows and
ingest reads: dates as cells, serials and strings (some followed by a time), full-width
digits, ordinals in Arabic and Chinese numerals, unit references by code, name, alias and
``中共…党组`` form.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from demo.model import Raw, Region, Unit, cn_numeral

_EPOCH = dt.date(1899, 12, 30)
_FW = str.maketrans("0123456789", "０１２３４５６７８９")

STATUS_WRITTEN = {
    "已完成": ["已完成", "已完成", "已完成", "已整改", "完成", "已办结"],
    "整改中": ["整改中", "整改中", "正在整改", "推进中"],
    "未整改": ["未整改", "未启动", "未开始"],
    "长期坚持": ["长期坚持", "持续整改", "长期整改"],
}
CADRE_WRITTEN = {
    "省管干部": ["省管干部", "省管干部", "省管"],
    "市管干部": ["市管干部", "市管干部", "市管"],
    "县管干部": ["县管干部", "县管干部", "县管"],
    "其他": ["其他", "一般干部", "一般干部", "其他人员"],
}

# --------------------------------------------------------------------------- cell rendering

_DATE_STYLES = [
    *("date", "date", "cn", "dot", "compact", "iso", "slash", "serial", "dt"),
    *("cn_time", "iso_time"),  # (v2) a date followed by a time, as text
]
_CLOCKS = ["上午9时", "上午9时30分", "下午3时", "下午2点30分", "9点", "晚上8时"]
_BOOL_STYLES = [("是", "否"), ("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0"), (True, False)]
_ORD_STYLES = ["int", "str", "di_ar", "di_cn", "cn_suf", "cn", "ar_suf"]


# a date as each style writes it (the styles with a time draw the time: CellStyle.date)
_DATE_CELLS: dict[str, Callable[[dt.date], Any]] = {
    "date": lambda d: d,
    "dt": lambda d: dt.datetime(d.year, d.month, d.day, 9, 30),
    "serial": lambda d: (d - _EPOCH).days,
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "compact": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
}
# an ordinal (届次 12, suffix 届) as each style writes it ("str" draws full-width digits)
_ORDINAL_CELLS: dict[str, Callable[[int, str], Any]] = {
    "int": lambda n, suffix: n,
    "di_ar": lambda n, suffix: f"第{n}{suffix}",
    "di_cn": lambda n, suffix: f"第{cn_numeral(n)}{suffix}",
    "cn_suf": lambda n, suffix: f"{cn_numeral(n)}{suffix}",
    "cn": lambda n, suffix: cn_numeral(n),
    "ar_suf": lambda n, suffix: f"{n}{suffix}",
}


class CellStyle:
    """Per-sheet rendering preferences (each sheet looks like one clerk filled it in)."""

    def __init__(self, rng: random.Random, level: str) -> None:
        self.rng = rng
        self.date_style = rng.choice(_DATE_STYLES)
        self.bool_style = rng.choice(_BOOL_STYLES)
        self.empty = rng.choice(["", "", "—", "-", "/"])
        self.ord_styles = {k: rng.choice(_ORD_STYLES) for k in ("届", "轮", "批")}
        self.int_style = rng.choice(["num", "num", "str", "fw", "unit"])
        self.unit_mix = rng.choice(
            [(0.1, 0.75, 0.85, 0.97), (0.6, 0.85, 0.9, 0.98), (0.2, 0.5, 0.7, 0.97)]
        )
        self.word = "巡视" if level == "省" else "巡察"
        self.mode_sep = rng.choice(["+", "、", "/", "，"])
        self.spacey = rng.random() < 0.2

    # -- scalars
    def empty_cell(self) -> str:
        return self.empty if self.rng.random() < 0.9 else self.rng.choice(["", "—", "-"])

    def date(self, d: dt.date | None) -> Any:
        if d is None:
            return self.empty_cell()
        rng = self.rng
        st = self.date_style if rng.random() < 0.85 else rng.choice(_DATE_STYLES)
        if st == "cn_time":
            return f"{_DATE_CELLS['cn'](d)} {rng.choice(_CLOCKS)}"
        if st == "iso_time":
            return f"{d.isoformat()} {rng.choice(['09:30', '14:00:00', '8:15'])}"
        return _DATE_CELLS[st](d)

    def deadline(self, d: dt.date | None, month_only: bool) -> Any:
        if d is None:
            return self.empty_cell()
        if month_only:
            return (
                f"{d.year}年{d.month}月" if self.rng.random() < 0.7 else f"{d.year}-{d.month:02d}"
            )
        return self.date(d)

    def ordinal(self, n: int | None, suffix: str) -> Any:
        if n is None:
            return self.empty_cell()
        rng = self.rng
        st = self.ord_styles[suffix] if rng.random() < 0.8 else rng.choice(_ORD_STYLES)
        if st == "str":
            return str(n) if rng.random() < 0.9 else str(n).translate(_FW)
        return _ORDINAL_CELLS[st](n, suffix)

    def integer(self, n: int | None, unit: str = "个") -> Any:
        if n is None:
            return self.empty_cell()
        rng = self.rng
        st = self.int_style if rng.random() < 0.8 else rng.choice(["num", "str", "fw", "unit"])
        if st == "num":
            return n
        if st == "str":
            return f"{n:,}" if n >= 1000 else str(n)
        if st == "fw":
            return str(n).translate(_FW)
        return f"{n}{unit}"

    def money(self, x: float | None) -> Any:
        if x is None:
            return self.empty_cell()
        r = self.rng.random()
        if r < 0.5:
            return x
        if r < 0.85:
            return f"{x}万元"
        return str(x)

    def boolean(self, b: bool | None, default_empty: bool = False) -> Any:
        if b is None:
            return self.empty_cell()
        if not b and default_empty and self.rng.random() < 0.4:
            return self.empty_cell()
        yes, no = self.bool_style if self.rng.random() < 0.9 else self.rng.choice(_BOOL_STYLES)
        return yes if b else no

    def text(self, s: str | None) -> Any:
        if not s:
            return self.empty_cell()
        if self.spacey and self.rng.random() < 0.05:
            return f" {s} "
        return s

    # -- references
    def unit(self, u: Unit) -> str:
        rng = self.rng
        r = rng.random()
        c_code, c_name, c_alias, c_party = self.unit_mix
        if r < c_code:
            return u.code if rng.random() < 0.95 else u.code.translate(_FW)
        if r < c_name:
            if rng.random() < 0.03 and len(u.name) > 3:
                i = rng.randrange(1, len(u.name) - 1)
                return f"{u.name[:i]}\u3000{u.name[i:]}"
            return u.name
        if r < c_alias and u.aliases:
            return rng.choice(u.aliases)
        if r < c_party:
            base = rng.choice(u.aliases) if u.aliases and rng.random() < 0.3 else u.name
            prefix = "中共" if rng.random() < 0.7 else ""
            return f"{prefix}{base}{u.party_word}"
        return u.name

    def office(self, region: Region | None, own: Region) -> str:
        """组织单位 / 来源单位 / 接收单位; ``None`` means the submitter itself."""
        rng = self.rng
        if region is None or region is own:
            r = rng.random()
            if r < 0.55:
                return self.empty_cell()
            if r < 0.8:
                return own.office
            return own.code
        r = rng.random()
        if r < 0.45:
            return region.office
        if r < 0.7:
            return region.office_long
        if r < 0.85:
            return f"{region.name}委"
        return region.code

    def office_named(self, region: Region) -> str:
        """A required office reference: never empty."""
        return self.rng.choices([region.office, region.office_long, region.code], [60, 25, 15])[0]

    def region_ref(self, region: Region) -> str:
        return region.code if self.rng.random() < 0.5 else region.name

    def modes(self, modes: list[str]) -> str:
        rng = self.rng
        out = []
        for m in modes:
            if m == "回头看":
                out.append(f'{self.word}"回头看"' if rng.random() < 0.7 else "回头看")
            elif m == "对村（社区）":
                out.append(
                    rng.choice(
                        ["对村（社区）巡察", "对村（社区）巡察", "对村巡察", "对村(社区)巡察"]
                    )
                )
            else:
                out.append(f"{m}{self.word}" if rng.random() < 0.75 else m)
        return self.mode_sep.join(out)


EXTRA_COLUMNS = {
    "联系电话": lambda rng: f"0{rng.randint(570, 599)}-88{rng.randint(10000, 99999)}",
    "核实情况": lambda rng: rng.choice(["属实", "部分属实", "—", ""]),
    "备注": lambda rng: rng.choice(["", "", "系统导出", "—"]),
}


Render = Callable[[dict[str, Any]], Any]


def renderers(
    rng: random.Random, fmt: CellStyle, sub: Region, keys: list[str | None], extra: str | None
) -> list[Render]:
    """One function per column of a sheet, turning a row's field into the cell a clerk of
    `sub` writes (a deliberate bad value, `Raw`, is written as it is)."""

    def raw_or(key: str, f):
        def g(row: dict) -> Any:
            v = row.get(key)
            if isinstance(v, Raw):
                return str(v)
            return f(v, row)

        return g

    table = {
        "_seq": lambda v, row: row["_seq"] if rng.random() < 0.8 else str(row["_seq"]),
        "_extra": None,
        "term": lambda v, row: fmt.ordinal(v, "届"),
        "round": lambda v, row: fmt.ordinal(v, "轮"),
        "batch": lambda v, row: fmt.ordinal(v, "批"),
        "unit": lambda v, row: fmt.unit(v),
        "modes": lambda v, row: fmt.modes(v),
        "origins": lambda v, row: (
            "、".join(fmt.region_ref(x) for x in v)
            if v
            else (fmt.empty_cell() if rng.random() < 0.75 else row["_org"].code)
        ),
        "entry": lambda v, row: fmt.date(v),
        "feedback": lambda v, row: fmt.date(v),
        "start": lambda v, row: fmt.date(v),
        "date": lambda v, row: fmt.date(v),
        "done": lambda v, row: fmt.date(v),
        "transfer": lambda v, row: fmt.date(v),
        "filed_date": lambda v, row: fmt.date(v),
        "deadline": lambda v, row: fmt.deadline(v, row.get("_month_only", False)),
        "org": lambda v, row: fmt.office(v, sub),
        "src": lambda v, row: fmt.office_named(v),
        "dst": lambda v, row: fmt.office_named(v),
        "common": lambda v, row: fmt.boolean(v, default_empty=True),
        "immediate": lambda v, row: fmt.boolean(v, default_empty=True),
        "filed": lambda v, row: fmt.boolean(v),
        "money": lambda v, row: fmt.money(v),
        "rules": lambda v, row: fmt.integer(v, "项"),
        "punished": lambda v, row: fmt.integer(v, "人"),
        "planned": lambda v, row: fmt.integer(v, "个"),
        "status": lambda v, row: rng.choice(STATUS_WRITTEN[v]),
        "level": lambda v, row: rng.choice(CADRE_WRITTEN[v]) if v in CADRE_WRITTEN else v,
        "region": lambda v, row: fmt.region_ref(v) if isinstance(v, Region) else v,
        "year": lambda v, row: rng.choice([str(v), f"{v}年", v]),
        "parent": lambda v, row: v or fmt.empty_cell(),
        "aliases": lambda v, row: (
            rng.choice(["、", "、", "；", "/"]).join(v) if v else fmt.empty_cell()
        ),
    }
    for k in ("n_insp", "n_prob", "n_done"):
        table[k] = lambda v, row: fmt.integer(v, "个")
    for k in ("n_clue", "n_cadre", "n_case"):
        table[k] = lambda v, row: fmt.integer(v, "件")
    table["n_pun"] = lambda v, row: fmt.integer(v, "人")
    # T7 / T8 (v2); a T8 count of 0 may be left empty (empty = 0)
    table["cp_code"] = lambda v, row: v
    table["scope"] = lambda v, row: "全部" if v == ["全部"] else fmt.mode_sep.join(v)
    table["push"] = lambda v, row: fmt.date(v)
    table["report"] = lambda v, row: fmt.date(v)
    table["cp_deadline"] = lambda v, row: fmt.deadline(v, row.get("_month_only", False))
    table["issuer"] = lambda v, row: fmt.office(v, sub)
    table["similar"] = lambda v, row: fmt.boolean(v)
    for k, unit in (("n_found", "个"), ("n_measures", "项"), ("n_completed", "个")):
        table[k] = lambda v, row, unit=unit: (
            fmt.empty_cell() if v == 0 and rng.random() < 0.3 else fmt.integer(v, unit)
        )
    for k, unit in (("n_inst", "项"), ("n_cases", "件")):
        table[k] = lambda v, row, unit=unit: (
            fmt.empty_cell() if v == 0 and rng.random() < 0.5 else fmt.integer(v, unit)
        )
    out = []
    for k in keys:
        if k == "_extra":
            out.append(lambda row: EXTRA_COLUMNS[extra](rng))
            continue
        f = table.get(k)
        out.append(raw_or(k, f if f is not None else (lambda v, row: fmt.text(v))))
    return out
