"""Demo province generator: writes an inbox of messy but valid submissions.

The fictional province 岚州省 (code ``580000``) has three cities at ``scale <= 2``
(青屿市 580100, 梧桥市 580200, 云岫市 580300) with nine counties; larger scales add
generated cities so that the number of offices (and workbooks) grows with ``sqrt(scale)``
while the total number of inspections grows linearly with ``scale``.

Everything the reporting standard (data contract §3–§4) allows is exercised: title rows,
``填报单位/填报日期`` metadata lines (or none, so the sub-folder names the submitter),
shuffled columns, header variants with line breaks, U+3000 and unit notes, a two-row
merged header in T4, ``序号`` columns, ``合计/小计`` rows, ``注：`` note rows, ordinals in
Arabic and Chinese numerals, dates as cells, serials and strings, full-width digits,
unit references by code, name, alias and ``中共…党组`` form.

All rows are valid except the few listed in the returned summary under ``bad_rows``;
T4 figures equal the derived figures of contract §6 except those listed under
``t4_mismatches``. The "true" clue-yield figures of contract §6 are computed from the
generated (valid) rows and returned under ``clue_yield``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from ingest.registry import Registry, registry

__all__ = ["generate_demo_inbox", "PROVINCE_CODE", "PROVINCE_NAME"]

PROVINCE_CODE = "580000"
PROVINCE_NAME = "岚州省"

# (city code, city name, [(county code, county name), ...])
_BASE_CITIES = [
    ("580100", "青屿市", [("580102", "澜江区"), ("580121", "鹤湾县"), ("580122", "竹垣县")]),
    (
        "580200",
        "梧桥市",
        [("580202", "桂浦区"), ("580221", "蓬湄县"), ("580222", "荻港县"), ("580223", "溆岭县")],
    ),
    ("580300", "云岫市", [("580302", "岫山区"), ("580321", "霁川县")]),
]
# names used by the acceptance corpus: never generated here
_RESERVED = {"澄岚", "雁湖", "枫川", "芦汀", "石渡", "柳溪", "云坪", "桐岗"}

_SYL_A = (
    "青梧云澜鹤竹桂蓬荻溆岫霁沅涟箬蕲漪苕泠菱槿棠芷蘅蒲澧沂淇渌萍芗浔瓯婺栖岷汶漳潇茗蓼苇樟杉楠榕"
)
_SYL_B = "屿桥汀浦垣湾港岭川陂坞渚泽畈埠墩塘湄溪岗原阳坪峪洲源冲圩滩坳"

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "国建华明伟芳敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英华文辉力鹏宇浩凯晨鑫斌波辉俊峰"
    "燕婷雪琳玲红梅兰春海林昆志新永东"
)

_CN_DIGITS = "零一二三四五六七八九"

_PROBLEM_CATEGORIES = {
    "贯彻落实党中央决策部署": [
        "贯彻落实上级决策部署不到位",
        "落实乡村振兴政策打折扣",
        "粮食安全责任落实不到位",
        "生态环境保护责任落实不力",
    ],
    "落实全面从严治党责任": [
        "主体责任落实不到位",
        "监督责任履行不力",
        "一岗双责落实不到位",
        "以案促改不深入",
    ],
    "党的组织建设": [
        "基层党组织建设薄弱",
        "三会一课制度落实不严格",
        "选人用人程序不规范",
        "党员发展把关不严",
    ],
    "作风建设": ["违规发放津补贴", "公务接待不规范", "形式主义问题突出", "违规使用公车"],
    "腐败问题": ["工程项目管理不规范", "专项资金使用不规范", "违规收受礼金", "插手干预工程项目"],
    "体制机制问题": ["内控制度不健全", "议事规则执行不严格", "财务管理制度不完善"],
    "群众身边问题": [
        "惠民资金发放不及时",
        "集体三资管理混乱",
        "低保审核把关不严",
        "群众反映强烈问题解决不力",
    ],
    "其他": ["上轮巡察整改不彻底", "档案管理不规范"],
}
_CATEGORY_NAMES = list(_PROBLEM_CATEGORIES)
_CATEGORY_WEIGHTS = [14, 18, 16, 16, 10, 10, 12, 4]

_STATUS_WRITTEN = {
    "已完成": ["已完成", "已完成", "已完成", "已整改", "完成", "已办结"],
    "整改中": ["整改中", "整改中", "正在整改", "推进中"],
    "未整改": ["未整改", "未启动", "未开始"],
    "长期坚持": ["长期坚持", "持续整改", "长期整改"],
}
_CADRE_WRITTEN = {
    "省管干部": ["省管干部", "省管干部", "省管"],
    "市管干部": ["市管干部", "市管干部", "市管"],
    "县管干部": ["县管干部", "县管干部", "县管"],
    "其他": ["其他", "一般干部", "一般干部", "其他人员"],
}
_DISPOSALS = ["谈话函询", "初步核实", "暂存待查", "予以了结", "立案审查调查"]
_DISPOSAL_WEIGHTS = [30, 25, 10, 15, 20]

# department lists: (full name suffix, short form used in aliases)
_PROV_DEPTS = [
    ("发展和改革委员会", "发改委"),
    ("教育厅", "教育厅"),
    ("科学技术厅", "科技厅"),
    ("工业和信息化厅", "工信厅"),
    ("公安厅", "公安厅"),
    ("民政厅", "民政厅"),
    ("司法厅", "司法厅"),
    ("财政厅", "财政厅"),
    ("人力资源和社会保障厅", "人社厅"),
    ("自然资源厅", "自然资源厅"),
    ("生态环境厅", "生态环境厅"),
    ("住房和城乡建设厅", "住建厅"),
    ("交通运输厅", "交通厅"),
    ("水利厅", "水利厅"),
    ("农业农村厅", "农业农村厅"),
    ("商务厅", "商务厅"),
    ("文化和旅游厅", "文旅厅"),
    ("卫生健康委员会", "卫健委"),
    ("审计厅", "审计厅"),
    ("市场监督管理局", "市场监管局"),
    ("粮食和物资储备局", "粮储局"),
    ("医疗保障局", "医保局"),
    ("林业局", "林业局"),
]
_LOCAL_DEPTS = [
    ("发展和改革局", "发改局"),
    ("教育局", "教育局"),
    ("公安局", "公安局"),
    ("民政局", "民政局"),
    ("财政局", "财政局"),
    ("人力资源和社会保障局", "人社局"),
    ("自然资源和规划局", "自然资源局"),
    ("生态环境局", "生态环境局"),
    ("住房和城乡建设局", "住建局"),
    ("交通运输局", "交通局"),
    ("水利局", "水利局"),
    ("农业农村局", "农业农村局"),
    ("商务局", "商务局"),
    ("文化广电旅游局", "文旅局"),
    ("卫生健康局", "卫健局"),
    ("市场监督管理局", "市场监管局"),
    ("医疗保障局", "医保局"),
    ("粮食和物资储备局", "粮储局"),
    ("审计局", "审计局"),
    ("应急管理局", "应急局"),
    ("退役军人事务局", "退役军人局"),
    ("供销合作社联合社", "供销社"),
]

_CAMPAIGNS = [
    ("涉粮问题专项巡视巡察", "涉粮问题", ("粮", "供销", "发展和改革", "农业")),
    ("乡村振兴领域专项巡视巡察", "乡村振兴", ("农业农村", "水利", "镇", "街道", "民政")),
    ("医保基金管理使用专项巡视巡察", "医保基金", ("医疗保障", "医院", "卫生健康", "人民医院")),
    ("国有企业专项巡视巡察", "国企改革", ("集团", "公司")),
]

_TITLES = {
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

_EPOCH = dt.date(1899, 12, 30)
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


# --------------------------------------------------------------------------- model


@dataclass(eq=False)
class _Region:
    code: str
    name: str
    level: str  # 省 / 市 / 县
    parent: _Region | None = None
    counties: list[_Region] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
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
class _Unit:
    code: str
    name: str
    aliases: list[str]
    category: str
    region: _Region
    mgmt: str
    party_word: str
    kind: str  # gov, mass, soe, inst, town, village


@dataclass(eq=False)
class _Problem:
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
class _Clue:
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
class _Insp:
    organiser: _Region
    term: int
    rnd: int
    batch: int | None
    team: str
    unit: _Unit
    modes: list[str]
    origins: list[_Region]
    topic: str | None
    deploy: str | None
    entry: dt.date
    feedback: dt.date
    formation: str | None
    year: int
    problems: list[_Problem] = field(default_factory=list)
    clues: list[_Clue] = field(default_factory=list)


class _Raw(str):
    """A literal cell value that bypasses rendering (used for the deliberate bad rows)."""


# --------------------------------------------------------------------------- helpers


def _cn(n: int) -> str:
    """Chinese numeral for 0 < n < 100."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _poisson(rng: random.Random, lam: float) -> int:
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --------------------------------------------------------------------------- cell rendering

_DATE_STYLES = [
    *("date", "date", "cn", "dot", "compact", "iso", "slash", "serial", "dt"),
    *("cn_time", "iso_time"),  # (v2) a date followed by a time, as text
]
_CLOCKS = ["上午9时", "上午9时30分", "下午3时", "下午2点30分", "9点", "晚上8时"]
_BOOL_STYLES = [("是", "否"), ("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0"), (True, False)]
_ORD_STYLES = ["int", "str", "di_ar", "di_cn", "cn_suf", "cn", "ar_suf"]


class _Fmt:
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
        if st == "date":
            return d
        if st == "dt":
            return dt.datetime(d.year, d.month, d.day, 9, 30)
        if st == "cn_time":
            return f"{d.year}年{d.month}月{d.day}日 {rng.choice(_CLOCKS)}"
        if st == "iso_time":
            return f"{d.isoformat()} {rng.choice(['09:30', '14:00:00', '8:15'])}"
        if st == "serial":
            return (d - _EPOCH).days
        if st == "cn":
            return f"{d.year}年{d.month}月{d.day}日"
        if st == "dot":
            return f"{d.year}.{d.month}.{d.day}"
        if st == "compact":
            return f"{d.year}{d.month:02d}{d.day:02d}"
        if st == "iso":
            return d.isoformat()
        return f"{d.year}/{d.month}/{d.day}"

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
        if st == "int":
            return n
        if st == "str":
            return str(n) if rng.random() < 0.9 else str(n).translate(_FW)
        if st == "di_ar":
            return f"第{n}{suffix}"
        if st == "di_cn":
            return f"第{_cn(n)}{suffix}"
        if st == "cn_suf":
            return f"{_cn(n)}{suffix}"
        if st == "cn":
            return _cn(n)
        return f"{n}{suffix}"

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
    def unit(self, u: _Unit) -> str:
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

    def office(self, region: _Region | None, own: _Region) -> str:
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

    def office_named(self, region: _Region) -> str:
        """A required office reference: never empty."""
        return self.rng.choices([region.office, region.office_long, region.code], [60, 25, 15])[0]

    def region_ref(self, region: _Region) -> str:
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


# --------------------------------------------------------------------------- column specs

# (demo key, column name in ingest/templates.yml, always written, include probability, unit
# note). Headers and their variants come from the registry (`ingest.registry`), so a variant a
# clerk adds to templates.yml is written by the demo without a second edit.
_SPEC_KEYS: dict[str, list[tuple[str, str, bool, float, str]]] = {
    "R0": [
        ("code", "region_code", True, 1, ""),
        ("name", "region_name", True, 1, ""),
        ("level", "region_level", True, 1, ""),
        ("parent", "parent_code", True, 1, ""),
    ],
    "T0": [
        ("code", "unit_code", True, 1, ""),
        ("name", "unit_name", True, 1, ""),
        ("aliases", "aliases", False, 1, ""),
        ("category", "unit_category", True, 1, ""),
        ("region", "region_code", True, 1, ""),
        ("mgmt", "management_level", True, 1, ""),
    ],
    "T6": [
        ("code", "deployment_code", True, 1, ""),
        ("name", "deployment_name", True, 1, ""),
        ("start", "start_date", True, 1, ""),
        ("planned", "planned_targets", False, 0.9, "个"),
    ],
    "T1": [
        ("term", "term", True, 1, ""),
        ("round", "round", True, 1, ""),
        ("batch", "batch", False, 0.5, ""),
        ("team", "team_name", True, 1, ""),
        ("unit", "unit_code", True, 1, ""),
        ("modes", "modes", True, 1, ""),
        ("origins", "team_origin_codes", False, 0.6, ""),
        ("topic", "topic", False, 0.7, ""),
        ("deploy", "deployment_code", False, 0.8, ""),
        ("entry", "entry_date", True, 1, ""),
        ("feedback", "feedback_date", False, 0.85, ""),
        ("formation", "team_formation", False, 0.5, ""),
    ],
    "T2": [
        ("code", "problem_code", True, 1, ""),
        ("org", "organiser_code", False, 0.6, ""),
        ("term", "term", True, 1, ""),
        ("round", "round", True, 1, ""),
        ("unit", "unit_code", True, 1, ""),
        ("category", "problem_category", True, 1, ""),
        ("desc", "description", False, 0.9, ""),
        ("common", "is_common", False, 0.7, ""),
        ("immediate", "is_immediate", False, 0.7, ""),
        ("status", "status", True, 1, ""),
        ("deadline", "deadline", False, 0.85, ""),
        ("done", "completed_date", False, 0.85, ""),
        ("money", "recovered_loss_wan", False, 0.6, ""),
        ("rules", "rules_established", False, 0.6, ""),
    ],
    "T3": [
        ("code", "clue_code", True, 1, ""),
        ("org", "organiser_code", False, 0.6, ""),
        ("term", "term", True, 1, ""),
        ("round", "round", True, 1, ""),
        ("unit", "unit_code", True, 1, ""),
        ("person", "subject_name", True, 1, ""),
        ("title", "subject_title", True, 1, ""),
        ("level", "cadre_level", True, 1, ""),
        ("transfer", "transfer_date", True, 1, ""),
        ("target", "transfer_target", False, 0.8, ""),
        ("disposal", "disposal", False, 0.9, ""),
        ("filed", "case_filed", True, 1, ""),
        ("filed_date", "case_filed_date", False, 0.85, ""),
        ("punished", "disciplined_count", True, 1, "人"),
    ],
    "T4": [
        ("region", "region_code", True, 1, ""),
        ("year", "year", True, 1, ""),
        ("n_insp", "inspected_orgs", True, 1, "个"),
        ("n_prob", "problems_found", True, 1, "个"),
        ("n_clue", "clues", True, 1, "件"),
        ("n_cadre", "county_cadre_clues", True, 1, "件"),
        ("n_done", "problems_rectified", True, 1, "个"),
        ("n_case", "cases_filed", False, 0.95, "件"),
        ("n_pun", "people_disciplined", False, 0.9, "人"),
    ],
    "T5": [
        ("code", "link_code", True, 1, ""),
        ("type", "link_type", True, 1, ""),
        ("src", "source_office_code", True, 1, ""),
        ("src_p", "source_problem_code", True, 1, ""),
        ("dst", "target_office_code", True, 1, ""),
        ("dst_p", "target_problem_code", False, 0.8, ""),
        ("date", "registered_date", True, 1, ""),
        ("adopt", "adoption", False, 0.8, ""),
    ],
    "T7": [
        ("cp_code", "common_problem_code", True, 1, ""),
        ("term", "term", True, 1, ""),
        ("round", "round", True, 1, ""),
        ("category", "problem_category", True, 1, ""),
        ("desc", "description", True, 1, ""),
        ("scope", "applicable_categories", True, 1, ""),
        ("push", "push_date", True, 1, ""),
        ("cp_deadline", "deadline", False, 0.85, ""),
    ],
    "T8": [
        ("issuer", "issuer_code", False, 0.8, ""),
        ("cp_code", "common_problem_code", True, 1, ""),
        ("unit", "unit_code", True, 1, ""),
        ("similar", "has_similar", True, 1, ""),
        ("n_found", "problems_found", True, 1, "个"),
        ("n_measures", "measures", False, 0.9, "项"),
        ("n_completed", "completed", False, 0.9, "个"),
        ("n_inst", "institutions", False, 0.8, "项"),
        ("n_cases", "cases", False, 0.7, "件"),
        ("report", "report_date", True, 1, ""),
    ],
}

# (key, canonical header, variants, always written, include probability, unit note)
_Spec = tuple[str, str, list[str], bool, float, str]


def _specs(reg: Registry) -> dict[str, list[_Spec]]:
    """The demo's column specs with every header and variant read from the registry."""
    out: dict[str, list[_Spec]] = {}
    for tpl, keys in _SPEC_KEYS.items():
        template = reg.templates[tpl]
        out[tpl] = [
            (key, (col := template.column(name)).label, list(col.variants), always, p, note)
            for key, name, always, p, note in keys
        ]
    return out


_EXTRA_COLS = {
    "联系电话": lambda rng: f"0{rng.randint(570, 599)}-88{rng.randint(10000, 99999)}",
    "核实情况": lambda rng: rng.choice(["属实", "部分属实", "—", ""]),
    "备注": lambda rng: rng.choice(["", "", "系统导出", "—"]),
}


# --------------------------------------------------------------------------- generator


class _Generator:
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
        self.used_syl: set[str] = set(_RESERVED)
        self.inspections: list[_Insp] = []
        # keeper (region code, year) -> list of (inspection, problem) / (inspection, clue)
        self.t2: dict[tuple[str, int], list[tuple[_Insp, _Problem]]] = {}
        self.t3: dict[tuple[str, int], list[tuple[_Insp, _Clue]]] = {}
        self.seq: dict[tuple[str, str, int], int] = {}
        self.derived: dict[tuple[str, int], dict[str, int]] = {}
        self.files: list[str] = []
        self.rows: dict[str, int] = {t: 0 for t in _TITLES}
        self.bad_rows: list[dict[str, Any]] = []
        self.t4_mismatches: list[dict[str, Any]] = []
        self.campaigns: list[dict[str, Any]] = []
        self.specs = _specs(reg)
        self.header_turn: dict[tuple[str, str], int] = {}
        self.headers_written: list[dict[str, Any]] = []
        self.merged_sheets: list[dict[str, Any]] = []
        self.repeated_headers: list[dict[str, Any]] = []
        self.hidden_sheets: list[dict[str, Any]] = []
        self.common_problems: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ names
    def _syllables(self) -> str:
        rng = self.rng
        for _ in range(40):
            s = rng.choice(_SYL_A) + rng.choice(_SYL_B)
            if s not in self.used_syl:
                self.used_syl.add(s)
                return s
        while True:
            s = rng.choice(_SYL_A) + rng.choice(_SYL_A) + rng.choice(_SYL_B)
            if s not in self.used_syl:
                self.used_syl.add(s)
                return s

    def _person(self) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.75 else "")
        return rng.choice(_SURNAMES) + given

    def _alias_ok(self, alias: str) -> bool:
        if alias in self.used_names:
            return False
        self.used_names.add(alias)
        return True

    # ------------------------------------------------------------------ regions and units
    def build_regions(self) -> None:
        rng = self.rng
        self.province = _Region(PROVINCE_CODE, PROVINCE_NAME, "省")
        for _, name, counties in _BASE_CITIES:
            self.used_syl.add(name[:2])
            for _, cname in counties:
                self.used_syl.add(cname[:2])
        n_cities = 3 if self.scale <= 2 else max(3, round(3 * math.sqrt(self.scale)))
        n_cities = min(n_cities, 99)
        specs = [(c, n, list(cs)) for c, n, cs in _BASE_CITIES]
        for i in range(len(specs), n_cities):
            code = f"58{i + 1:02d}00"
            cname = self._syllables() + "市"
            k = rng.randint(2, 4)
            counties = [(f"58{i + 1:02d}02", self._syllables() + "区")]
            counties += [(f"58{i + 1:02d}{21 + j}", self._syllables() + "县") for j in range(k - 1)]
            specs.append((code, cname, counties))
        self.cities: list[_Region] = []
        for code, name, counties in specs[:n_cities]:
            city = _Region(code, name, "市", self.province)
            for ccode, cname in counties:
                city.counties.append(_Region(ccode, cname, "县", city))
            self.cities.append(city)
        self.counties = [c for city in self.cities for c in city.counties]
        self.regions = [self.province, *self.cities, *self.counties]
        # inspections per round multiplier: linear in scale overall
        n_base_counties = sum(len(cs) for _, _, cs in _BASE_CITIES)
        self.m = self.scale * n_base_counties / len(self.counties)

    def _add_unit(
        self,
        region: _Region,
        name: str,
        aliases: list[str],
        category: str,
        kind: str,
        party_word: str,
    ) -> _Unit:
        mgmt = {"省": "省管", "市": "市管", "县": "县管"}[region.level]
        code = f"{region.code}{len(region.units) + 1:03d}"
        self.used_names.add(name)
        aliases = [a for a in aliases if a != name and self._alias_ok(a)]
        u = _Unit(code, name, aliases, category, region, mgmt, party_word, kind)
        region.units.append(u)
        return u

    def build_units(self) -> None:
        rng, m = self.rng, self.m
        p = self.province
        # province's own units (省管)
        for full, short in _PROV_DEPTS:
            al = [f"省{short}"] if rng.random() < 0.7 else []
            self._add_unit(p, f"{p.name}{full}", al, "党政机关", "gov", "党组")
        self._add_unit(p, f"{p.name}总工会", ["省总工会"], "群团组织", "mass", "党组")
        self._add_unit(p, f"{p.name}妇女联合会", ["省妇联"], "群团组织", "mass", "党组")
        for full, al in [
            ("交通投资集团有限公司", "省交投集团"),
            ("能源集团有限公司", "省能源集团"),
            ("储备粮管理有限公司", "省储备粮公司"),
        ]:
            self._add_unit(p, f"{p.name}{full}", [al], "国有企业", "soe", "党委")
        self._add_unit(p, f"{p.short}大学", ["岚大"], "事业单位", "inst", "党委")
        self._add_unit(p, f"{p.short}师范大学", ["岚州师大"], "事业单位", "inst", "党委")
        self._add_unit(p, f"{p.name}人民医院", ["省人民医院"], "事业单位", "inst", "党委")
        need = math.ceil(8 * m)
        i = 1
        while len(p.units) < need:
            self._add_unit(
                p,
                f"{p.name}地质矿产勘查开发局第{i}地质大队",
                [],
                "事业单位",
                "inst",
                "党委",
            )
            i += 1
        # cities' own units (市管)
        for city in self.cities:
            for full, short in _LOCAL_DEPTS:
                if rng.random() < 0.8:
                    al = [f"{city.short}{short}"] if rng.random() < 0.6 else []
                    self._add_unit(city, f"{city.name}{full}", al, "党政机关", "gov", "党组")
            self._add_unit(city, f"{city.name}总工会", [], "群团组织", "mass", "党组")
            self._add_unit(
                city,
                f"{city.name}城市建设投资集团有限公司",
                [f"{city.short}城投集团"],
                "国有企业",
                "soe",
                "党委",
            )
            self._add_unit(
                city,
                f"{city.name}国有资本投资运营有限公司",
                [f"{city.short}国投公司"],
                "国有企业",
                "soe",
                "党委",
            )
            self._add_unit(
                city, f"{city.name}第一人民医院", [f"{city.short}一院"], "事业单位", "inst", "党委"
            )
            self._add_unit(
                city, f"{city.short}职业技术学院", [f"{city.short}职院"], "事业单位", "inst", "党委"
            )
            need = math.ceil(10 * m)
            i = 1
            while len(city.units) < need:
                self._add_unit(city, f"{city.name}第{i}中学", [], "事业单位", "inst", "党委")
                i += 1
        # counties (县管): departments, SOE, 群团, towns, villages, schools as filler
        for county in self.counties:
            is_district = county.name.endswith("区")
            depts = [d for d in _LOCAL_DEPTS if rng.random() < 0.6 + 0.1 * min(m, 4)]
            for full, short in depts:
                al = [f"{county.short}{short}"] if rng.random() < 0.6 else []
                self._add_unit(county, f"{county.name}{full}", al, "党政机关", "gov", "党组")
            self._add_unit(county, f"{county.name}总工会", [], "群团组织", "mass", "党组")
            self._add_unit(
                county,
                f"{county.name}城市建设投资有限公司",
                [f"{county.short}城投公司"],
                "国有企业",
                "soe",
                "党委",
            )
            self._add_unit(
                county,
                f"{county.name}人民医院",
                [f"{county.short}人民医院"],
                "事业单位",
                "inst",
                "党委",
            )
            need_main = math.ceil(13 * m) + 6
            n_town = max(4, min(15, need_main - len(county.units)))
            towns = []
            for _ in range(n_town):
                s = self._syllables()
                suffix = "街道" if is_district and rng.random() < 0.6 else "镇"
                if not is_district and rng.random() < 0.2:
                    suffix = "乡"
                party = "党工委" if suffix == "街道" else "党委"
                towns.append(
                    (
                        self._add_unit(
                            county,
                            f"{county.name}{s}{suffix}",
                            [f"{s}{suffix}"],
                            "乡镇（街道）",
                            "town",
                            party,
                        ),
                        f"{s}{suffix}",
                    )
                )
            i = 1
            while len(county.units) < need_main:
                self._add_unit(county, f"{county.name}第{i}中学", [], "事业单位", "inst", "党委")
                i += 1
            n_vil = max(6, math.ceil(4 * m))
            for j in range(n_vil):
                _, tname = towns[j % len(towns)]
                v = self._syllables()
                vs = "社区" if tname.endswith("街道") else "村"
                party = rng.choice(["党支部", "党支部", "党总支", "党委"])
                al = [f"{v}{vs}"] if rng.random() < 0.6 else []
                self._add_unit(county, f"{tname}{v}{vs}", al, "村（社区）", "village", party)

    # ------------------------------------------------------------------ office plans
    def plan_offices(self) -> None:
        rng = self.rng
        ny = len(self.years)
        self.province.term_plan = [(12, 2 * i + 1) for i in range(ny)]
        for city in self.cities:
            term = rng.choice([9, 11])
            off = 0 if term == 9 else 3
            city.term_plan = [(term, off + 3 * i + 1) for i in range(ny)]
        for county in self.counties:
            if ny > 1 and rng.random() < 0.35:
                county.term_plan = [(15, 10)] + [(16, 3 * (i - 1) + 1) for i in range(1, ny)]
            else:
                county.term_plan = [(16, 3 * i + 1) for i in range(ny)]
        for r in self.regions:
            if r.level == "省":
                r.folder = r.office
            else:
                x = rng.random()
                r.folder = r.office if x < 0.65 else (r.code if x < 0.85 else r.name)
            r.style = rng.choice(["split", "split", "combined", "combined", "mixed"])

    def build_campaigns(self) -> None:
        rng = self.rng
        n = 3 if len(self.years) >= 3 else 2
        picks = rng.sample(range(len(_CAMPAIGNS)), n)
        per_year: dict[int, int] = {}
        for i, ci in enumerate(picks):
            year = self.years[min(i, len(self.years) - 1)]
            per_year[year] = per_year.get(year, 0) + 1
            name, topic, kws = _CAMPAIGNS[ci]
            start = dt.date(year, rng.choice([4, 5]), rng.randint(5, 25))
            self.campaigns.append(
                {
                    "code": f"SXLD-{year}-{per_year[year]:02d}",
                    "name": name,
                    "topic": topic,
                    "keywords": kws,
                    "start": start,
                    "year": year,
                    "planned": rng.randint(180, 1300),
                }
            )

    # ------------------------------------------------------------------ inspections
    def _count(self, base: float) -> int:
        x = base * self.m
        n = int(x) + (1 if self.rng.random() < x - int(x) else 0)
        if n >= 3:
            n += self.rng.choice([-1, 0, 0, 1])
        return max(1, n)

    def _draw(self, pools: dict, key: Any, units: list[_Unit], n: int) -> list[_Unit]:
        """Draw n distinct units, cycling through a per-key shuffled pool."""
        n = min(n, len(units))
        pool = pools.get(key)
        out: list[_Unit] = []
        taken: set[int] = set()
        while len(out) < n:
            if not pool:
                pool = [u for u in units if id(u) not in taken]
                self.rng.shuffle(pool)
                pools[key] = pool
            u = pool.pop()
            if id(u) not in taken:
                taken.add(id(u))
                out.append(u)
        return out

    def _new_code(self, prefix: str, keeper: _Region, year: int, width: int) -> str:
        k = (prefix, keeper.code, year)
        self.seq[k] = self.seq.get(k, 0) + 1
        return f"{prefix}{keeper.code}{year}{self.seq[k]:0{width}d}"

    def _title_for(self, u: _Unit, level: str) -> str:
        rng = self.rng
        lead = level in ("省管干部", "市管干部", "县管干部")
        prov = u.region.level == "省"
        table = {
            "gov": (
                ["厅长", "副厅长", "党组书记"] if prov else ["局长", "副局长", "党组书记"],
                ["处长", "副处长"] if prov else ["科长", "股长", "科员", "副科长"],
            ),
            "mass": (["主席", "副主席"], ["部长", "干事"]),
            "soe": (["董事长", "总经理", "副总经理"], ["部门经理", "项目经理"]),
            "inst": (["院长", "副院长", "校长", "党委书记"], ["科室主任", "财务科长"]),
            "town": (["党委书记", "镇长", "副镇长"], ["站所负责人", "办公室主任"]),
            "village": (["镇党委委员"], ["村党支部书记", "村委会主任", "村会计", "村监委会主任"]),
        }[u.kind]
        return rng.choice(table[0] if lead else table[1])

    def _make_inspection(
        self,
        organiser: _Region,
        yi: int,
        k: int,
        unit: _Unit,
        modes: list[str],
        team: str,
        base: dt.date,
        origins: list[_Region] | None = None,
        formation: str | None = None,
        batch: int | None = None,
    ) -> _Insp:
        rng = self.rng
        term, r0 = organiser.term_plan[yi]
        entry = base + dt.timedelta(days=rng.randint(0, 7))
        feedback = entry + dt.timedelta(days=rng.randint(40, 75))
        insp = _Insp(
            organiser=organiser,
            term=term,
            rnd=r0 + k,
            batch=batch,
            team=team,
            unit=unit,
            modes=modes,
            origins=origins or [],
            topic=None,
            deploy=None,
            entry=entry,
            feedback=feedback,
            formation=formation,
            year=self.years[yi],
        )
        self.inspections.append(insp)
        return insp

    def _fill(self, insp: _Insp) -> None:
        """Problems and clues of one inspection (kept by the unit's region)."""
        rng = self.rng
        u = insp.unit
        keeper = u.region
        year = insp.year
        cross = "交叉" in insp.modes
        village = "对村（社区）" in insp.modes
        t2 = self.t2.setdefault((keeper.code, year), [])
        t3 = self.t3.setdefault((keeper.code, year), [])
        for _ in range(rng.randint(*self.problems_per_inspection)):
            cat = rng.choices(_CATEGORY_NAMES, _CATEGORY_WEIGHTS)[0]
            immediate = rng.random() < 0.15
            x = rng.random()
            status = (
                "已完成"
                if x < 0.9
                else "整改中"
                if x < 0.95
                else "长期坚持"
                if x < 0.98
                else "未整改"
            )
            month_only = rng.random() < 0.25
            dl = insp.feedback + dt.timedelta(days=rng.randint(45, 150))
            if month_only:
                dl = _month_end(dl.year, dl.month)
            deadline = None if rng.random() < 0.08 else dl
            done = None
            if status == "已完成":
                if immediate:
                    done = insp.entry + dt.timedelta(days=rng.randint(3, 30))
                else:
                    end = deadline or dl
                    span = max(1, (end - insp.feedback).days)
                    done = insp.feedback + dt.timedelta(days=rng.randint(-10, span))
                if done <= insp.entry:
                    done = insp.entry + dt.timedelta(days=1)
            money = round(rng.uniform(0.5, 480), 1) if rng.random() < 0.15 else None
            rules = rng.randint(1, 3) if rng.random() < 0.3 else None
            p = _Problem(
                code=self._new_code("WT", keeper, year, 4),
                category=cat,
                desc=rng.choice(_PROBLEM_CATEGORIES[cat]),
                common=rng.random() < 0.1,
                immediate=immediate,
                status=status,
                deadline=deadline,
                deadline_month_only=month_only and deadline is not None,
                done=done,
                money=money,
                rules=rules,
            )
            insp.problems.append(p)
            t2.append((insp, p))
        # clue yield: the heart of the 交叉/非交叉 comparison
        if village:
            lam = 0.5
        elif u.mgmt == "县管":
            lam = 2.2 if cross else 1.1
        elif u.mgmt == "市管":
            lam = 1.4
        else:
            lam = 1.6
        for _ in range(_poisson(rng, lam)):
            if u.mgmt == "县管":
                p_lead = 0.12 if village else 0.55
                level = "县管干部" if rng.random() < p_lead else "其他"
            elif u.mgmt == "市管":
                level = "市管干部" if rng.random() < 0.5 else "其他"
            else:
                level = "省管干部" if rng.random() < 0.45 else "其他"
            transfer = insp.entry + dt.timedelta(days=rng.randint(10, 90))
            disposal = rng.choices(_DISPOSALS, _DISPOSAL_WEIGHTS)[0]
            if disposal == "立案审查调查":
                filed: bool | None = True
                filed_date: dt.date | None = transfer + dt.timedelta(days=rng.randint(7, 90))
                punished: int | None = rng.choices([0, 1, 2, 3], [10, 55, 25, 10])[0]
            else:
                filed = False if rng.random() < 0.7 else None
                filed_date = None
                punished = 0 if rng.random() < 0.5 else None
            c = _Clue(
                code=self._new_code("XS", keeper, year, 4),
                person=self._person(),
                title=self._title_for(u, level),
                level=level,
                transfer=transfer,
                target=rng.choices(["纪委监委", "组织部门", "其他"], [85, 12, 3])[0],
                disposal=disposal,
                filed=filed,
                filed_date=filed_date,
                punished=punished,
            )
            insp.clues.append(c)
            t3.append((insp, c))
        d = self.derived.setdefault(
            (insp.organiser.code, year),
            {
                "n_insp": 0,
                "n_prob": 0,
                "n_done": 0,
                "n_clue": 0,
                "n_cadre": 0,
                "n_case": 0,
                "n_pun": 0,
            },
        )
        d["n_insp"] += 1
        d["n_prob"] += len(insp.problems)
        d["n_done"] += sum(p.status == "已完成" for p in insp.problems)
        d["n_clue"] += len(insp.clues)
        d["n_cadre"] += sum(c.level == "县管干部" for c in insp.clues)
        d["n_case"] += sum(bool(c.filed) for c in insp.clues)
        d["n_pun"] += sum(c.punished or 0 for c in insp.clues)

    def _link_campaign(self, insps: list[_Insp], year: int, entry_month: int) -> None:
        rng = self.rng
        camps = [c for c in self.campaigns if c["year"] == year and c["start"].month < entry_month]
        if not camps or not insps:
            return
        camp = camps[0]
        matching = [i for i in insps if any(k in i.unit.name for k in camp["keywords"])]
        chosen = matching[: max(1, len(insps) // 3)] or [rng.choice(insps)]
        for insp in chosen:
            if "对村（社区）" in insp.modes:
                continue
            insp.modes = ["专项", *[m for m in insp.modes if m not in ("常规", "专项")]]
            insp.topic = camp["topic"]
            insp.deploy = camp["code"]

    def build_inspections(self) -> None:
        rng = self.rng
        pools: dict = {}
        for yi, year in enumerate(self.years):
            # province: 2 rounds of 巡视 of 省管 units
            p = self.province
            for k, month in enumerate((3, 9)):
                base = dt.date(year, month, rng.randint(1, 12))
                units = self._draw(pools, (p.code, year), p.units, self._count(3.0))
                batch = [
                    self._make_inspection(
                        p,
                        yi,
                        k,
                        u,
                        [rng.choices(["常规", "机动", "回头看"], [85, 10, 5])[0]],
                        f"省委第{_cn(j % 12 + 1)}巡视组",
                        base,
                    )
                    for j, u in enumerate(units)
                ]
                self._link_campaign(batch, year, month)
                for insp in batch:
                    self._fill(insp)
            # cities: own units each round; round 2 = 交叉 round; 提级 in rounds 1 and 3
            for city in self.cities:
                for k, month in enumerate((3, 6, 9)):
                    base = dt.date(year, month, rng.randint(1, 12))
                    batch: list[_Insp] = []
                    units = self._draw(pools, (city.code, year), city.units, self._count(2.5))
                    team_no = 0
                    for u in units:
                        team_no += 1
                        mode = rng.choices(["常规", "机动", "回头看"], [85, 8, 7])[0]
                        batch.append(
                            self._make_inspection(
                                city, yi, k, u, [mode], f"市委第{_cn(team_no % 20 + 1)}巡察组", base
                            )
                        )
                    if k == 1:
                        for county in city.counties:
                            others = [c for c in city.counties if c is not county]
                            main = [u for u in county.units if u.kind != "village"]
                            for u in self._draw(pools, (county.code, year), main, self._count(3.0)):
                                team_no += 1
                                if len(others) >= 2 and rng.random() < 0.15:
                                    origins = rng.sample(others, 2)
                                    formation = "组合式"
                                else:
                                    origins = [rng.choice(others)]
                                    formation = rng.choice(["成建制", "成建制", None])
                                team = (
                                    f"市委交叉巡察第{_cn(team_no % 20 + 1)}组"
                                    if rng.random() < 0.5
                                    else f"{origins[0].name}委第{_cn(rng.randint(1, 6))}巡察组"
                                )
                                batch.append(
                                    self._make_inspection(
                                        city, yi, k, u, ["交叉"], team, base, origins, formation
                                    )
                                )
                    else:
                        county = rng.choice(city.counties)
                        main = [u for u in county.units if u.kind != "village"]
                        n = self._count(1.0) if rng.random() < 0.7 else 0
                        for u in self._draw(pools, (county.code, year), main, n):
                            team_no += 1
                            batch.append(
                                self._make_inspection(
                                    city,
                                    yi,
                                    k,
                                    u,
                                    ["提级"],
                                    f"市委第{_cn(team_no % 20 + 1)}巡察组",
                                    base,
                                    formation=rng.choice(["联动式", "半建制", None]),
                                )
                            )
                    self._link_campaign(batch, year, month)
                    for insp in batch:
                        self._fill(insp)
            # counties: 3 rounds of own units and villages
            for county in self.counties:
                main = [u for u in county.units if u.kind != "village"]
                villages = [u for u in county.units if u.kind == "village"]
                for k, month in enumerate((3, 6, 9)):
                    base = dt.date(year, month + rng.choice([0, 1]), rng.randint(1, 12))
                    batch = []
                    tp = county.team_prefix
                    for j, u in enumerate(
                        self._draw(pools, (county.code, year), main, self._count(3.0))
                    ):
                        mode = rng.choices(["常规", "机动", "回头看"], [85, 8, 7])[0]
                        batch.append(
                            self._make_inspection(
                                county, yi, k, u, [mode], f"{tp}第{_cn(j % 8 + 1)}巡察组", base
                            )
                        )
                    nv = self._count(1.0)
                    for j, u in enumerate(
                        self._draw(pools, (county.code, year, "v"), villages, nv)
                    ):
                        batch.append(
                            self._make_inspection(
                                county,
                                yi,
                                k,
                                u,
                                ["对村（社区）"],
                                f"{tp}第{_cn((j + 4) % 8 + 1)}巡察组",
                                base,
                                batch=j % 2 + 1 if nv > 1 else None,
                            )
                        )
                    self._link_campaign(batch, year, month + 1)
                    for insp in batch:
                        self._fill(insp)

    # ------------------------------------------------------------------ truth
    def clue_yield(self) -> dict[str, Any]:
        groups = {
            g: {"inspections": 0, "clues": 0, "county_cadre_clues": 0} for g in ("交叉", "非交叉")
        }
        by_year: dict[int, dict[str, dict[str, int]]] = {}
        for insp in self.inspections:
            if insp.unit.mgmt != "县管" or "对村（社区）" in insp.modes:
                continue
            g = "交叉" if "交叉" in insp.modes else "非交叉"
            cadre = sum(c.level == "县管干部" for c in insp.clues)
            yg = by_year.setdefault(
                insp.year,
                {
                    x: {"inspections": 0, "clues": 0, "county_cadre_clues": 0}
                    for x in ("交叉", "非交叉")
                },
            )
            for tgt in (groups[g], yg[g]):
                tgt["inspections"] += 1
                tgt["clues"] += len(insp.clues)
                tgt["county_cadre_clues"] += cadre

        def rates(d: dict[str, dict[str, int]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for g, v in d.items():
                n = v["inspections"]
                out[g] = {
                    **v,
                    "clues_per_inspection": round(v["clues"] / n, 4) if n else None,
                    "county_cadre_clues_per_inspection": (
                        round(v["county_cadre_clues"] / n, 4) if n else None
                    ),
                }
            a, b = out["交叉"], out["非交叉"]
            for key, metric in (
                ("ratio_clues", "clues_per_inspection"),
                ("ratio_county_cadre_clues", "county_cadre_clues_per_inspection"),
            ):
                out[key] = round(a[metric] / b[metric], 4) if a[metric] and b[metric] else None
            return out

        res = rates(groups)
        res["by_year"] = {str(y): rates(v) for y, v in sorted(by_year.items())}
        return res

    # ------------------------------------------------------------------ sheet writer
    def _write_sheet(
        self,
        wb: xlsxwriter.Workbook,
        sheet_name: str,
        tpl: str,
        rows: list[dict[str, Any]],
        submitter: _Region,
        year: int | None,
        sub_date: dt.date,
        relpath: str,
        force: frozenset[str] = frozenset(),
        stale: bool = False,
    ) -> xlsxwriter.worksheet.Worksheet:
        """One template sheet as a clerk fills it in; `stale` = a superseded copy that is
        neither counted nor reported (it goes into a hidden sheet)."""
        rng = self.rng
        ws = wb.add_worksheet(sheet_name)
        fmt = _Fmt(rng, submitter.level)
        spec = self.specs[tpl]
        force = force | {r["_force"] for r in rows if "_force" in r}
        cols = [c for c in spec if c[3] or c[0] in force or rng.random() < c[4]]
        # order: shuffle (keeping the T4 clue pair together when it gets a two-row header)
        two_row = tpl == "T4" and rng.random() < 0.5
        blocks: list[list[tuple]] = []
        pair: list[tuple] = []
        for c in cols:
            if two_row and c[0] in ("n_clue", "n_cadre"):
                pair.append(c)
                if len(pair) == 2:
                    blocks.append(pair)
            else:
                blocks.append([c])
        if rng.random() < 0.55:
            rng.shuffle(blocks)
        elif len(blocks) > 3 and rng.random() < 0.5:
            i = rng.randrange(len(blocks) - 1)
            blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
        cols = [c for b in blocks for c in b]
        keys: list[str | None] = [c[0] for c in cols]
        labels = [self._label(tpl, c) for c in cols]
        seq_col = rng.random() < 0.4 and tpl not in ("R0", "T0")
        if seq_col:
            keys.insert(0, "_seq")
            labels.insert(0, "序号")
            cols.insert(0, ("_seq", "序号", [], False, 1, ""))
        extra = None
        if rng.random() < 0.2:
            extra = rng.choice(list(_EXTRA_COLS))
            pos = rng.randint(1, len(keys))
            keys.insert(pos, "_extra")
            labels.insert(pos, extra)
            cols.insert(pos, ("_extra", extra, [], False, 1, ""))
        ncol = len(keys)

        r = 0
        # title, metadata, blank rows
        if rng.random() < 0.75:
            period = f"（{year}年度）" if year else ""
            title = f"{submitter.name}{_TITLES[tpl]}{period}"
            if ncol > 1 and rng.random() < 0.4:
                ws.merge_range(r, 0, r, ncol - 1, title)
            else:
                ws.write_string(r, 0, title)
            r += 1 + rng.choice([0, 0, 1, 2])
        colon = "：" if rng.random() < 0.7 else ":"
        who = rng.choices([submitter.office, submitter.office_long, submitter.code], [60, 20, 20])[
            0
        ]
        when = rng.choice(
            [
                f"{sub_date.year}年{sub_date.month}月{sub_date.day}日",
                f"{sub_date.year}.{sub_date.month}.{sub_date.day}",
                sub_date.isoformat(),
            ]
        )
        unit_meta, date_meta = f"填报单位{colon}{who}", f"填报日期{colon}{when}"
        meta = rng.choices(
            ["one", "cells", "rows", "unit", "date", "none"], [40, 15, 15, 10, 10, 10]
        )[0]
        if meta == "one":
            ws.write_string(r, 0, f"{unit_meta}\u3000\u3000\u3000{date_meta}")
            r += 1
        elif meta == "cells":
            ws.write_string(r, 0, unit_meta)
            ws.write_string(r, max(ncol - 2, 1), date_meta)
            r += 1
        elif meta == "rows":
            ws.write_string(r, 0, unit_meta)
            ws.write_string(r + 1, 0, date_meta)
            r += 2
        elif meta == "unit":
            ws.write_string(r, 0, unit_meta)
            r += 1
        elif meta == "date":
            ws.write_string(r, 0, date_meta)
            r += 1
        if tpl == "T4" and rng.random() < 0.5:
            r += 1
            ws.write_string(r, 0, "单位：个、件")
            r += 1
        r += rng.choice([0, 0, 1, 2])

        # header
        flat = list(labels)  # the header as ingest flattens it (§3: `parent/child`)
        if two_row:
            i = 0
            while i < ncol:
                k = keys[i]
                if k == "n_clue" and i + 1 < ncol and keys[i + 1] == "n_cadre":
                    child = rng.choice(["数量", "数量（件）"])
                    ws.merge_range(r, i, r, i + 1, "移交问题线索")
                    ws.write_string(r + 1, i, child)
                    ws.write_string(r + 1, i + 1, "其中县管干部")
                    flat[i], flat[i + 1] = f"移交问题线索/{child}", "移交问题线索/其中县管干部"
                    i += 2
                    continue
                ws.merge_range(r, i, r + 1, i, labels[i])
                i += 1
            r += 2
        else:
            ws.write_row(r, 0, labels)
            r += 1

        # detail rows, laid out as lines first so that one unit's cells can be merged
        render = self._renderers(fmt, submitter, keys, extra)
        subtotal = tpl in ("T1", "T2", "T3") and rng.random() < 0.15
        merge_keys = [] if stale else self._merge_keys(tpl, keys)
        blank_p = 0.01 if rng.random() < 0.3 and not merge_keys else 0.0
        repeat_at = None if stale or two_row else self._repeat_header_at(tpl, rows)
        lines: list[tuple[str, list[Any], dict[str, Any] | None]] = []
        last_group = None
        group_n = 0
        for seq, row in enumerate(rows, 1):
            grp = row.get("_group")
            if subtotal and last_group is not None and grp != last_group:
                cells = [""] * ncol
                cells[0] = "小计"
                cells[-1] = f"共{group_n}条"
                lines.append(("sub", cells, None))
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
            cells = [""] * ncol
            cells[0] = "小计"
            cells[-1] = f"共{group_n}条"
            lines.append(("sub", cells, None))
        merges = self._merges(lines, keys, merge_keys)
        covered = {(i, c) for i0, i1, c in merges for i in range(i0 + 1, i1 + 1)}
        top = r
        for i, (kind, cells, row) in enumerate(lines):
            for c, value in enumerate(cells):
                if (i, c) not in covered:
                    ws.write(r, c, value)
            if kind == "head" and not stale:
                self.repeated_headers.append(
                    {"file": relpath, "sheet": sheet_name, "template": tpl, "row_number": r + 1}
                )
            if kind == "row" and not stale:
                self.rows[tpl] += 1
                bad = row.get("_bad") if row else None
                if bad:
                    self.bad_rows.append(
                        {
                            "file": relpath,
                            "sheet": sheet_name,
                            "row_number": r + 1,
                            "template": tpl,
                            **bad,
                        }
                    )
            r += 1
        if merges:
            merge_format = wb.add_format({"valign": "vcenter"})
            for i0, i1, c in merges:
                ws.merge_range(top + i0, c, top + i1, c, "", merge_format)
                ws.write(top + i0, c, lines[i0][1][c], merge_format)
            self.merged_sheets.append(
                {
                    "file": relpath,
                    "sheet": sheet_name,
                    "template": tpl,
                    "rows": sum(1 for line in lines if line[0] == "row"),
                    "merges": len(merges),
                    "columns": sorted({labels[c] for _, _, c in merges}),
                }
            )
        if not stale:
            self.headers_written.append(
                {"file": relpath, "sheet": sheet_name, "template": tpl, "labels": flat}
            )
        # totals
        if rows and rng.random() < 0.6:
            word = {"省": "全省", "市": "全市", "县": "合计"}[submitter.level]
            label = rng.choice([word, "合计", "总计"])
            cells: list[Any] = [""] * ncol
            cells[0] = label
            if tpl == "T4":
                for i, k in enumerate(keys):
                    if i and k and k.startswith("n_"):
                        cells[i] = sum(int(x.get(k) or 0) for x in rows)
            else:
                cells[-1] = f"共{len(rows)}条"
            ws.write_row(r, 0, cells)
            r += 1
        if rng.random() < 0.4:
            ws.write_string(
                r,
                0,
                rng.choice(
                    [
                        "注：1.本表按巡视巡察数据报送规范填报；2.金额单位为万元。",
                        "说明：数据统计截至填报日期。",
                        "填表说明：问题类别、整改状态按规范填写。",
                    ]
                ),
            )
            if rng.random() < 0.5:
                ws.write_string(r + 1, 0, "审核人：")
                ws.write_string(
                    r + 1, min(3, ncol - 1), f"联系电话：0{rng.randint(570, 599)}-8831204"
                )
        return ws

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
            return None if v is None or isinstance(v, _Raw) else v

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

    def _label(self, tpl: str, c: _Spec) -> str:
        """A header of column `c`: in turn its registry label and each of its variants, from
        a seeded start, so every variant in templates.yml shows up across the ledgers."""
        rng = self.rng
        key, canon, variants, _, _, note = c
        turn = self.header_turn.get((tpl, key))
        if turn is None:
            turn = rng.randrange(2 * len(variants) + 1)
        self.header_turn[(tpl, key)] = turn + 1
        label = variants[(turn // 2) % len(variants)] if variants and turn % 2 else canon
        if note and rng.random() < 0.35 and "（" not in label:
            label += rng.choice([f"（{note}）", f"({note})"])
        x = rng.random()
        if len(label) >= 3 and x < 0.25:
            i = rng.randrange(1, len(label) - 1)
            sep = "\n" if x < 0.15 else ("\u3000" if x < 0.21 else " ")
            label = label[:i] + sep + label[i:]
        return label

    def _renderers(
        self, fmt: _Fmt, sub: _Region, keys: list[str | None], extra: str | None
    ) -> list:
        rng = self.rng

        def raw_or(key: str, f):
            def g(row: dict) -> Any:
                v = row.get(key)
                if isinstance(v, _Raw):
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
            "status": lambda v, row: rng.choice(_STATUS_WRITTEN[v]),
            "level": lambda v, row: rng.choice(_CADRE_WRITTEN[v]) if v in _CADRE_WRITTEN else v,
            "region": lambda v, row: fmt.region_ref(v) if isinstance(v, _Region) else v,
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
                out.append(lambda row: _EXTRA_COLS[extra](rng))
                continue
            f = table.get(k)
            out.append(raw_or(k, f if f is not None else (lambda v, row: fmt.text(v))))
        return out

    # ------------------------------------------------------------------ rows per template
    def _index(self) -> None:
        self.by_org: dict[tuple[str, int], list[_Insp]] = {}
        for insp in self.inspections:
            self.by_org.setdefault((insp.organiser.code, insp.year), []).append(insp)

    @staticmethod
    def _t1_row(i: _Insp) -> dict[str, Any]:
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
    def _t2_row(i: _Insp, p: _Problem, keeper: _Region) -> dict[str, Any]:
        return {
            "code": p.code,
            "org": None if i.organiser is keeper else i.organiser,
            "term": i.term,
            "round": i.rnd,
            "unit": i.unit,
            "category": p.category,
            "desc": p.desc,
            "common": p.common,
            "immediate": p.immediate,
            "status": p.status,
            "deadline": p.deadline,
            "_month_only": p.deadline_month_only,
            "done": p.done,
            "money": p.money,
            "rules": p.rules,
            "_group": (i.organiser.code, i.term, i.rnd),
        }

    @staticmethod
    def _t3_row(i: _Insp, c: _Clue, keeper: _Region) -> dict[str, Any]:
        return {
            "code": c.code,
            "org": None if i.organiser is keeper else i.organiser,
            "term": i.term,
            "round": i.rnd,
            "unit": i.unit,
            "person": c.person,
            "title": c.title,
            "level": c.level,
            "transfer": c.transfer,
            "target": c.target,
            "disposal": c.disposal,
            "filed": c.filed,
            "filed_date": c.filed_date,
            "punished": c.punished,
            "_group": (i.organiser.code, i.term, i.rnd),
        }

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

    def _territory(self, office: _Region) -> list[_Unit]:
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
                    category = rng.choices(_CATEGORY_NAMES, _CATEGORY_WEIGHTS)[0]
                    scope = rng.choice(scopes[office.level])
                    push = dt.date(year, rng.randint(3, 9), rng.randint(1, 28))
                    month_only = rng.random() < 0.2
                    deadline: dt.date | None = push + dt.timedelta(days=rng.randint(45, 90))
                    if month_only:
                        deadline = _month_end(deadline.year, deadline.month)
                    elif rng.random() < 0.15:
                        deadline = None
                    self.t7_rows.setdefault((office.code, year), []).append(
                        {
                            "cp_code": code,
                            "term": term,
                            "round": first_round + rng.randrange(2),
                            "category": category,
                            "desc": f"{rng.choice(_PROBLEM_CATEGORIES[category])}（共性问题）",
                            "scope": scope,
                            "push": push,
                            "cp_deadline": deadline,
                            "_month_only": month_only,
                        }
                    )
                    self._plan_self_checks(office, code, scope, push, deadline, year, offices)

    def _plan_self_checks(
        self,
        issuer: _Region,
        code: str,
        scope: list[str],
        push: dt.date,
        deadline: dt.date | None,
        year: int,
        offices: dict[str, _Region],
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
        if spare:
            u = rng.choice(spare)
            row = self._t1_row(first)
            row.update(
                unit=u,
                modes=["常规"],
                topic=None,
                deploy=None,
                origins=[],
                entry=_Raw("待定"),
                feedback=None,
            )
            row["_bad"] = {
                "rule": "R2",
                "column": "进驻日期",
                "value": "待定",
                "reason": "进驻日期 is not a date",
            }
            extra.setdefault(("T1", county.code, year), []).append(row)
        p = first.problems[0]
        row = self._t2_row(first, p, county)
        bogus = f"{county.name}城市管理综合行政执法局"
        row.update(code=self._new_code("WT", county, year, 4), unit=_Raw(bogus))
        row["_bad"] = {
            "rule": "R1",
            "column": "被巡察单位",
            "value": bogus,
            "reason": "unit not in the T0 registry",
        }
        extra.setdefault(("T2", county.code, year), []).append(row)
        proto = _Clue(
            "",
            self._person(),
            "科长",
            "其他",
            first.entry + dt.timedelta(days=30),
            "纪委监委",
            "初步核实",
            False,
            None,
            0,
        )
        row = self._t3_row(first, proto, county)
        row.update(code=self._new_code("XS", county, year, 4), term=first.term - 2)
        row["_bad"] = {
            "rule": "R5",
            "column": "届次",
            "value": first.term - 2,
            "reason": "orphan clue: no inspection of that unit in that 届次",
        }
        extra.setdefault(("T3", county.code, year), []).append(row)
        proto = _Clue(
            "",
            self._person(),
            "副局长",
            "县管干部",
            first.entry + dt.timedelta(days=40),
            "纪委监委",
            "立案审查调查",
            True,
            first.entry + dt.timedelta(days=25),
            1,
        )
        row = self._t3_row(first, proto, county)
        row.update(code=self._new_code("XS", county, year, 4), _force="filed_date")
        row["_bad"] = {
            "rule": "R6",
            "column": "立案日期",
            "value": proto.filed_date.isoformat() if proto.filed_date else "",
            "reason": "立案日期 before 移交日期",
        }
        extra.setdefault(("T3", county.code, year), []).append(row)
        return extra

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
        office: _Region,
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
        self, office: _Region, year: int, extra: dict[tuple[str, str, int], list[dict[str, Any]]]
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
            groups = [(f"{prefix}{year}年{_TITLES[t]}.xlsx", [t]) for t in sheets]
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
    gen = _Generator(Path(target), seed, years, scale, problems_per_inspection, reg)
    summary = gen.run()
    summary["seed"] = seed
    return summary
