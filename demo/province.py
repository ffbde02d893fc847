"""The fictional province 岚州省 (code ``580000``): its regions, units, offices' plans and
inspections with their problems and clues, and the "true" §6 clue yield of what it drew.

Three cities at ``scale <= 2`` (青屿市 580100, 梧桥市 580200, 云岫市 580300) with nine
counties; larger scales add generated cities so that the number of offices (and
workbooks) grows with ``sqrt(scale)`` while the number of inspections grows linearly.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from demo.model import Clue, Inspection, Problem, Region, Unit, cn_numeral, month_end, poisson

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
RESERVED_SYLLABLES = {"澄岚", "雁湖", "枫川", "芦汀", "石渡", "柳溪", "云坪", "桐岗"}

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


PROBLEM_CATEGORIES = {
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
CATEGORY_NAMES = list(PROBLEM_CATEGORIES)
CATEGORY_WEIGHTS = [14, 18, 16, 16, 10, 10, 12, 4]

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

# the units every region of a level has, by (category, kind, party word), in this order:
# (name, alias or ""), where {n} stands for the region's name and {s} for its short name
_MASS, _SOE, _INST = (
    ("群团组织", "mass", "党组"),
    ("国有企业", "soe", "党委"),
    ("事业单位", "inst", "党委"),
)
_PROVINCE_UNITS = {
    _MASS: [("{n}总工会", "省总工会"), ("{n}妇女联合会", "省妇联")],
    _SOE: [
        ("{n}交通投资集团有限公司", "省交投集团"),
        ("{n}能源集团有限公司", "省能源集团"),
        ("{n}储备粮管理有限公司", "省储备粮公司"),
    ],
    _INST: [("{s}大学", "岚大"), ("{s}师范大学", "岚州师大"), ("{n}人民医院", "省人民医院")],
}
_CITY_UNITS = {
    _MASS: [("{n}总工会", "")],
    _SOE: [
        ("{n}城市建设投资集团有限公司", "{s}城投集团"),
        ("{n}国有资本投资运营有限公司", "{s}国投公司"),
    ],
    _INST: [("{n}第一人民医院", "{s}一院"), ("{s}职业技术学院", "{s}职院")],
}
_COUNTY_UNITS = {
    _MASS: [("{n}总工会", "")],
    _SOE: [("{n}城市建设投资有限公司", "{s}城投公司")],
    _INST: [("{n}人民医院", "{s}人民医院")],
}

_CAMPAIGNS = [
    ("涉粮问题专项巡视巡察", "涉粮问题", ("粮", "供销", "发展和改革", "农业")),
    ("乡村振兴领域专项巡视巡察", "乡村振兴", ("农业农村", "水利", "镇", "街道", "民政")),
    ("医保基金管理使用专项巡视巡察", "医保基金", ("医疗保障", "医院", "卫生健康", "人民医院")),
    ("国有企业专项巡视巡察", "国企改革", ("集团", "公司")),
]


class ProvinceBuilder:
    """Builds the province on the generator's shared state and seeded ``rng`` (demo/generate.py)."""

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
        self.province = Region(PROVINCE_CODE, PROVINCE_NAME, "省")
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
        self.cities: list[Region] = []
        for code, name, counties in specs[:n_cities]:
            city = Region(code, name, "市", self.province)
            for ccode, cname in counties:
                city.counties.append(Region(ccode, cname, "县", city))
            self.cities.append(city)
        self.counties = [c for city in self.cities for c in city.counties]
        self.regions = [self.province, *self.cities, *self.counties]
        # inspections per round multiplier: linear in scale overall
        n_base_counties = sum(len(cs) for _, _, cs in _BASE_CITIES)
        self.m = self.scale * n_base_counties / len(self.counties)

    def _add_unit(
        self,
        region: Region,
        name: str,
        aliases: list[str],
        category: str,
        kind: str,
        party_word: str,
    ) -> Unit:
        mgmt = {"省": "省管", "市": "市管", "县": "县管"}[region.level]
        code = f"{region.code}{len(region.units) + 1:03d}"
        self.used_names.add(name)
        aliases = [a for a in aliases if a != name and self._alias_ok(a)]
        u = Unit(code, name, aliases, category, region, mgmt, party_word, kind)
        region.units.append(u)
        return u

    def _add_fixed(
        self, region: Region, table: dict[tuple[str, str, str], list[tuple[str, str]]]
    ) -> None:
        """The units every region of a level has (see `_PROVINCE_UNITS`)."""
        names = {"n": region.name, "s": region.short}
        for (category, kind, party), units in table.items():
            for name, alias in units:
                aliases = [alias.format(**names)] if alias else []
                self._add_unit(region, name.format(**names), aliases, category, kind, party)

    def _add_depts(
        self, region: Region, depts: list[tuple[str, str]], alias_p: float, keep_p: float = 1
    ) -> None:
        """Departments (党政机关, 党组) named after the region, some known by a short form;
        with `keep_p` < 1 each is drawn in turn, just before its alias."""
        for full, short in depts:
            if keep_p < 1 and self.rng.random() >= keep_p:
                continue
            prefix = "省" if region.level == "省" else region.short
            al = [f"{prefix}{short}"] if self.rng.random() < alias_p else []
            self._add_unit(region, f"{region.name}{full}", al, "党政机关", "gov", "党组")

    def _add_numbered(self, region: Region, pattern: str, need: int) -> None:
        """Numbered institutions (事业单位, 党委) until the region has `need` units."""
        i = 1
        while len(region.units) < need:
            name = pattern.format(n=region.name, i=i)
            self._add_unit(region, name, [], "事业单位", "inst", "党委")
            i += 1

    def build_units(self) -> None:
        rng, m = self.rng, self.m
        p = self.province
        # province's own units (省管)
        self._add_depts(p, _PROV_DEPTS, 0.7)
        self._add_fixed(p, _PROVINCE_UNITS)
        self._add_numbered(p, "{n}地质矿产勘查开发局第{i}地质大队", math.ceil(8 * m))
        # cities' own units (市管)
        for city in self.cities:
            self._add_depts(city, _LOCAL_DEPTS, 0.6, keep_p=0.8)
            self._add_fixed(city, _CITY_UNITS)
            self._add_numbered(city, "{n}第{i}中学", math.ceil(10 * m))
        # counties (县管): departments, SOE, 群团, towns, villages, schools as filler
        for county in self.counties:
            is_district = county.name.endswith("区")
            depts = [d for d in _LOCAL_DEPTS if rng.random() < 0.6 + 0.1 * min(m, 4)]
            self._add_depts(county, depts, 0.6)
            self._add_fixed(county, _COUNTY_UNITS)
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
            self._add_numbered(county, "{n}第{i}中学", need_main)
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

    def _draw(self, pools: dict, key: Any, units: list[Unit], n: int) -> list[Unit]:
        """Draw n distinct units, cycling through a per-key shuffled pool."""
        n = min(n, len(units))
        pool = pools.get(key)
        out: list[Unit] = []
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

    def _new_code(self, prefix: str, keeper: Region, year: int, width: int) -> str:
        k = (prefix, keeper.code, year)
        self.seq[k] = self.seq.get(k, 0) + 1
        return f"{prefix}{keeper.code}{year}{self.seq[k]:0{width}d}"

    def _title_for(self, u: Unit, level: str) -> str:
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
        organiser: Region,
        yi: int,
        k: int,
        unit: Unit,
        modes: list[str],
        team: str,
        base: dt.date,
        origins: list[Region] | None = None,
        formation: str | None = None,
        batch: int | None = None,
    ) -> Inspection:
        rng = self.rng
        term, r0 = organiser.term_plan[yi]
        entry = base + dt.timedelta(days=rng.randint(0, 7))
        feedback = entry + dt.timedelta(days=rng.randint(40, 75))
        insp = Inspection(
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

    def _fill(self, insp: Inspection) -> None:
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
            cat = rng.choices(CATEGORY_NAMES, CATEGORY_WEIGHTS)[0]
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
                dl = month_end(dl.year, dl.month)
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
            p = Problem(
                code=self._new_code("WT", keeper, year, 4),
                category=cat,
                desc=rng.choice(PROBLEM_CATEGORIES[cat]),
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
        for _ in range(poisson(rng, lam)):
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
            c = Clue(
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

    def _link_campaign(self, insps: list[Inspection], year: int, entry_month: int) -> None:
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
                        f"省委第{cn_numeral(j % 12 + 1)}巡视组",
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
                    batch: list[Inspection] = []
                    units = self._draw(pools, (city.code, year), city.units, self._count(2.5))
                    team_no = 0
                    for u in units:
                        team_no += 1
                        mode = rng.choices(["常规", "机动", "回头看"], [85, 8, 7])[0]
                        batch.append(
                            self._make_inspection(
                                city,
                                yi,
                                k,
                                u,
                                [mode],
                                f"市委第{cn_numeral(team_no % 20 + 1)}巡察组",
                                base,
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
                                    f"市委交叉巡察第{cn_numeral(team_no % 20 + 1)}组"
                                    if rng.random() < 0.5
                                    else f"{origins[0].name}委第{cn_numeral(rng.randint(1, 6))}巡察组"
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
                                    f"市委第{cn_numeral(team_no % 20 + 1)}巡察组",
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
                                county,
                                yi,
                                k,
                                u,
                                [mode],
                                f"{tp}第{cn_numeral(j % 8 + 1)}巡察组",
                                base,
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
                                f"{tp}第{cn_numeral((j + 4) % 8 + 1)}巡察组",
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
