"""Value parsers of contract §4."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ingest.values import (
    PARSERS,
    ValueParseError,
    chinese_numeral,
    is_empty,
    parse_boolean,
    parse_code,
    parse_date,
    parse_enum,
    parse_enum_list,
    parse_integer,
    parse_money,
    parse_ordinal,
    parse_region_code,
    parse_text,
    parse_text_list,
    parse_value,
    parse_year,
)

D = dt.date
ENUMS = yaml.safe_load((Path(__file__).parents[1] / "ingest" / "templates.yml").read_text())[
    "enums"
]
MODES = ENUMS["inspection_mode"]
EMPTY = [None, "", "  ", "\u3000", "—", "——", "－", "-", "--", "/", "／", "无"]


def test_value_parse_error_is_value_error() -> None:
    assert issubclass(ValueParseError, ValueError)


@pytest.mark.parametrize("value", EMPTY)
def test_is_empty(value: object) -> None:
    assert is_empty(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", "否"])
def test_zero_is_not_empty(value: object) -> None:
    assert not is_empty(value)


@pytest.mark.parametrize(
    "parser",
    [
        parse_date,
        parse_integer,
        parse_money,
        parse_ordinal,
        parse_boolean,
        parse_year,
        parse_code,
        parse_region_code,
        parse_text,
        parse_text_list,
    ],
)
@pytest.mark.parametrize("value", EMPTY)
def test_empty_is_none(parser, value: object) -> None:
    assert parser(value) is None


@pytest.mark.parametrize("value", EMPTY)
def test_empty_enum_is_none(value: object) -> None:
    assert parse_enum(value, MODES) is None
    assert parse_enum_list(value, MODES) is None


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2023, 3, 15), D(2023, 3, 15)),
        (dt.datetime(2023, 3, 15, 0, 0), D(2023, 3, 15)),
        (dt.datetime(2023, 3, 15, 17, 45), D(2023, 3, 15)),
        (45478.0, D(2024, 7, 5)),
        (45478, D(2024, 7, 5)),
        (45478.75, D(2024, 7, 5)),
        ("45478", D(2024, 7, 5)),
        ("45478.0", D(2024, 7, 5)),
        (61, D(1900, 3, 1)),
        ("2023年3月15日", D(2023, 3, 15)),
        ("2023年03月05日", D(2023, 3, 5)),
        ("2023年3月15号", D(2023, 3, 15)),
        ("2023年3月15", D(2023, 3, 15)),
        (" 2023 年 3 月 15 日 ", D(2023, 3, 15)),
        ("２０２３年３月１５日", D(2023, 3, 15)),
        ("2023-03-15", D(2023, 3, 15)),
        ("2023-3-5", D(2023, 3, 5)),
        ("2023/3/15", D(2023, 3, 15)),
        ("２０２３／３／１５", D(2023, 3, 15)),
        ("2023.3.15", D(2023, 3, 15)),
        ("20230315", D(2023, 3, 15)),
        (20230315, D(2023, 3, 15)),
        (20230315.0, D(2023, 3, 15)),
        ("2024-08-15 09:30", D(2024, 8, 15)),
        ("2024-08-15 09:30:00", D(2024, 8, 15)),
        ("2024-08-15T09:30:00", D(2024, 8, 15)),
        ("2024/8/15 9:30", D(2024, 8, 15)),
        ("2024年8月15日 09:30", D(2024, 8, 15)),
        ("2024年8月15日09:30", D(2024, 8, 15)),
        ("2024-08-15\u300009：30", D(2024, 8, 15)),
        # (v2) a date followed by a time, in the forms offices type
        ("2023-03-15 09:30", D(2023, 3, 15)),
        ("2023/3/15 9:30:00", D(2023, 3, 15)),
        ("2023年3月15日 上午9时", D(2023, 3, 15)),
        ("2023年3月15日上午9时", D(2023, 3, 15)),
        ("2023年3月15日 下午3时30分", D(2023, 3, 15)),
        ("2023年3月15日 晚上9点", D(2023, 3, 15)),
        ("2023年3月15日 9时30分", D(2023, 3, 15)),
        ("2023年3月15日 9点", D(2023, 3, 15)),
        ("2023年3月15日 9时半", D(2023, 3, 15)),
        ("2023年3月15日 9时30分15秒", D(2023, 3, 15)),
        ("2023年3月15日下午", D(2023, 3, 15)),
        ("2023/3/15 上午9:30", D(2023, 3, 15)),
        ("2023/3/15上午9:30", D(2023, 3, 15)),
        ("2023-03-15 9:30 PM", D(2023, 3, 15)),
        ("2023.3.15 14:05", D(2023, 3, 15)),
        ("20230315 09:30", D(2023, 3, 15)),
        ("２０２３年３月１５日\u3000上午９时", D(2023, 3, 15)),
        ("2023年3月15日 9 时 30 分", D(2023, 3, 15)),
        (dt.datetime(2023, 3, 15, 21, 0), D(2023, 3, 15)),
        ("2023 年 3 月", D(2023, 3, 1)),
        ("2024-02-29", D(2024, 2, 29)),
        # month only: the first day
        ("2023年3月", D(2023, 3, 1)),
        ("2023年3月份", D(2023, 3, 1)),
        ("2023年12月", D(2023, 12, 1)),
        ("2023-03", D(2023, 3, 1)),
        ("2023/3", D(2023, 3, 1)),
        ("2023.3", D(2023, 3, 1)),
        ("2023.10", D(2023, 10, 1)),
        ("202303", D(2023, 3, 1)),
        (202303, D(2023, 3, 1)),
        (2023.3, D(2023, 3, 1)),
        (2023.12, D(2023, 12, 1)),
    ],
)
def test_parse_date(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023年3月", D(2023, 3, 31)),
        ("2023-02", D(2023, 2, 28)),
        ("2024-02", D(2024, 2, 29)),
        ("2023/4", D(2023, 4, 30)),
        ("2023.12", D(2023, 12, 31)),
        ("202306", D(2023, 6, 30)),
        (2023.6, D(2023, 6, 30)),
        # full dates are not moved
        ("2023年3月15日", D(2023, 3, 15)),
        ("2023-03-01", D(2023, 3, 1)),
        (D(2023, 3, 1), D(2023, 3, 1)),
        (45478.0, D(2024, 7, 5)),
    ],
)
def test_parse_date_deadline(value: object, expected: dt.date) -> None:
    assert parse_date(value, deadline=True) == expected


@pytest.mark.parametrize(
    "value",
    [
        "待定",
        "长期",
        "2023年13月",
        "2023年2月30日",
        "2023-02-29",
        "2023-13-01",
        "2023-00",
        "2023/3/32",
        "20231301",
        "2023",
        2023,
        2023.1,  # January or October?
        "2023-3/15",
        "2023 03 15",
        "15/03/2023",
        "3月15日",
        "09:30",
        "上午9时",
        "9点30分",
        "2023年3月15日 9",
        "2023-03-159时",
        "2023年3月15日 上午九时",
        "abc",
        60,
        3000000,
        -5,
        True,
        dt.time(9, 30),
        float("inf"),
    ],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_date(value)


def test_parse_date_message() -> None:
    with pytest.raises(ValueParseError, match="^不存在的日期“2023年13月”$"):
        parse_date("2023年13月")
    with pytest.raises(ValueParseError, match="^无法识别的日期“待定”$"):
        parse_date("待定")


# --- integers and money --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (0, 0),
        (3.0, 3),
        (0.0, 0),
        ("12", 12),
        ("0", 0),
        ("１２", 12),
        (" 12 ", 12),
        ("\u300012\u3000", 12),
        ("12个", 12),
        ("3件", 3),
        ("2人", 2),
        ("2名", 2),
        ("5项", 5),
        ("4条", 4),
        ("6次", 6),
        ("7家", 7),
        ("１２个", 12),
        ("12 个", 12),
        ("1,013", 1013),
        ("1，013", 1013),
        ("１，０１３件", 1013),
        ("1,234,567", 1234567),
        ("12.0", 12),
        ("+5", 5),
    ],
)
def test_parse_integer(value: object, expected: int) -> None:
    result = parse_integer(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "value",
    [2.5, "2.5", -3, "-3", -1.0, "12万", "十二", "12个人", "1,01", "10,13", "1.013,5", "abc"]
    + [True, False, "12 13", "1 013", D(2023, 1, 1), "个", float("inf")],
)
def test_parse_integer_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_integer(value)


def test_parse_integer_messages() -> None:
    with pytest.raises(ValueParseError, match="整数"):
        parse_integer(2.5)
    with pytest.raises(ValueParseError, match="负数"):
        parse_integer("-3")
    with pytest.raises(ValueParseError, match="^无法识别的数量“abc”$"):
        parse_integer("abc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        (0, 0.0),
        ("12.5", 12.5),
        ("12.5万元", 12.5),
        ("12.5万", 12.5),
        ("12.5 万元", 12.5),
        ("１２．５万元", 12.5),
        ("1,013.25", 1013.25),
        ("1，013万元", 1013.0),
        ("0.35", 0.35),
        ("3", 3.0),
    ],
)
def test_parse_money(value: object, expected: float) -> None:
    result = parse_money(value)
    assert result == pytest.approx(expected)
    assert type(result) is float


@pytest.mark.parametrize(
    "value", ["5000元", "12.5亿元", "约12万", "-3", -0.5, "abc", True, "万元", "1.2.3"]
)
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_money(value)


# --- ordinals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一", 1),
        ("二", 2),
        ("两", 2),
        ("九", 9),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("二十一", 21),
        ("九十九", 99),
        ("一百", 100),
        ("一百零二", 102),
        ("一百一十", 110),
        ("一百二十三", 123),
        ("两百", 200),
        ("一千零一", 1001),
        ("〇", 0),
        ("零", 0),
        ("一〇二", 102),
        ("二〇二三", 2023),
    ],
)
def test_chinese_numeral(text: str, expected: int) -> None:
    assert chinese_numeral(text) == expected


@pytest.mark.parametrize("text", ["", "三四十", "十百", "百十百", "第三", "3", "十三届"])
def test_chinese_numeral_rejects(text: str) -> None:
    with pytest.raises(ValueParseError):
        chinese_numeral(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13", 13),
        (13, 13),
        (13.0, 13),
        ("13.0", 13),
        ("十三", 13),
        ("十三届", 13),
        ("第十三届", 13),
        ("第16届", 16),
        ("第４轮", 4),
        ("第4轮", 4),
        ("四轮", 4),
        ("四", 4),
        ("第二批", 2),
        ("二十一", 21),
        ("一百零二", 102),
        ("第 二 轮", 2),
        ("第一次", 1),
        ("１３", 13),
        ("第十二届", 12),
        ("两", 2),
    ],
)
def test_parse_ordinal(value: object, expected: int) -> None:
    assert parse_ordinal(value) == expected


@pytest.mark.parametrize(
    "value", ["第", "届", "0", 0, "第零轮", 2.5, "-1", "十三届四轮", "第13届第4轮", "abc", True]
)
def test_parse_ordinal_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_ordinal(value)


# --- booleans and years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("y", True),
        ("N", False),
        ("n", False),
        ("Yes", True),
        ("no", False),
        ("√", True),
        ("×", False),
        ("✓", True),
        ("✗", False),
        ("1", True),
        ("0", False),
        ("１", True),
        (1, True),
        (0, False),
        (1.0, True),
        (0.0, False),
        ("TRUE", True),
        ("FALSE", False),
        ("true", True),
        ("False", False),
        (True, True),
        (False, False),
        (" 是 ", True),
        ("Ｙ", True),
    ],
)
def test_parse_boolean(value: object, expected: bool) -> None:
    assert parse_boolean(value) is expected


def test_parse_boolean_wu_is_empty() -> None:
    assert parse_boolean("无") is None


@pytest.mark.parametrize("value", ["有", "不是", "2", 2, 0.5, "maybe", "是否"])
def test_parse_boolean_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_boolean(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2023, 2023),
        (2023.0, 2023),
        ("2023", 2023),
        ("2023.0", 2023),
        ("2023年", 2023),
        ("2023年度", 2023),
        ("２０２３年", 2023),
        (" 2023 年度 ", 2023),
        (1949, 1949),
        (2100, 2100),
    ],
)
def test_parse_year(value: object, expected: int) -> None:
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    "value", [1948, 2101, "1900", 2023.5, "23年", "2023-2024", "二〇二三年", True, "abc"]
)
def test_parse_year_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_year(value)


# --- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (390122011.0, "390122011"),
        (390122011, "390122011"),
        ("390122011", "390122011"),
        (" DH-2023-001 ", "DH-2023-001"),
        ("ＤＨ－２０２３－００１", "DH-2023-001"),
        ("DH 2023\u3000001", "DH2023001"),
        ("T2-001\n", "T2-001"),
        ("0012", "0012"),
        (0.0, "0"),
    ],
)
def test_parse_code(value: object, expected: str) -> None:
    assert parse_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (350582, "350582"),
        (350582.0, "350582"),
        ("350582", "350582"),
        ("３５０５８２", "350582"),
        (" 350 582 ", "350582"),
    ],
)
def test_parse_region_code(value: object, expected: str) -> None:
    assert parse_region_code(value) == expected


@pytest.mark.parametrize("value", ["35058", "3505820", 35058, "35058X", "东湖市", 350582.5, True])
def test_parse_region_code_rejects(value: object) -> None:
    with pytest.raises(ValueParseError, match="区划代码|编码"):
        parse_region_code(value)


# --- enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "value", "expected"),
    [
        ("unit_category", "乡镇（街道）", "乡镇（街道）"),
        ("unit_category", "乡镇(街道)", "乡镇（街道）"),
        ("unit_category", "乡镇 （街道）", "乡镇（街道）"),
        ("unit_category", "街道", "乡镇（街道）"),
        ("unit_category", "村(社区)", "村（社区）"),
        ("unit_category", "社区", "村（社区）"),
        ("unit_category", "党政机关", "党政机关"),
        ("unit_category", " 国有企业\u3000", "国有企业"),
        ("region_level", "县（市、区）", "县"),
        ("region_level", "县(市、区)", "县"),
        ("region_level", "地级市", "市"),
        ("region_level", "省级", "省"),
        ("rectification_status", "已整改", "已完成"),
        ("rectification_status", "正在整改", "整改中"),
        ("rectification_status", "长期坚持", "长期坚持"),
        ("cadre_level", "县管", "县管干部"),
        ("cadre_level", "一般干部", "其他"),
        ("management_level", "市管干部", "市管"),
        ("inspection_mode", "对村(社区)", "对村（社区）"),
        ("disposal", "谈话函询", "谈话函询"),
    ],
)
def test_parse_enum(block: str, value: object, expected: str) -> None:
    assert parse_enum(value, ENUMS[block]) == expected


def test_parse_enum_rejects_and_names_accepted_values() -> None:
    with pytest.raises(
        ValueParseError, match="无法识别的取值“已撤销”.*已完成、整改中、未整改、长期坚持"
    ):
        parse_enum("已撤销", ENUMS["rectification_status"])


@pytest.mark.parametrize("value", ["乡", "机关", "乡镇街道", 3])
def test_parse_enum_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_enum(value, ENUMS["unit_category"])


def test_parse_enum_empty_synonym_list() -> None:
    assert parse_enum("A", {"A": None, "B": []}) == "A"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("交叉巡察", ["交叉"]),
        ("常规巡视", ["常规"]),
        ("专项巡察", ["专项"]),
        ('巡察"回头看"', ["回头看"]),
        ("巡察“回头看”", ["回头看"]),
        ("“回头看”", ["回头看"]),
        ("回头看", ["回头看"]),
        ("提级巡察", ["提级"]),
        ("对村（社区）巡察", ["对村（社区）"]),
        ("对村(社区)巡察", ["对村（社区）"]),
        ("机动巡察", ["机动"]),
        ("常规", ["常规"]),
        ("交叉巡察、专项巡察", ["交叉", "专项"]),
        ("交叉+专项", ["交叉", "专项"]),
        ("交叉＋专项", ["交叉", "专项"]),
        ("交叉/提级", ["交叉", "提级"]),
        ("交叉，专项", ["交叉", "专项"]),
        ("交叉,专项", ["交叉", "专项"]),
        ("交叉；专项", ["交叉", "专项"]),
        ("交叉;专项", ["交叉", "专项"]),
        ("交叉巡察\n专项巡察", ["交叉", "专项"]),
        ("专项巡察、交叉巡察", ["专项", "交叉"]),
        ("交叉巡察、交叉", ["交叉"]),
        ("提级巡察、巡察“回头看”", ["提级", "回头看"]),
        ("交叉、", ["交叉"]),
        ("交叉巡察、巡察", ["交叉"]),
    ],
)
def test_parse_enum_list(value: object, expected: list[str]) -> None:
    assert parse_enum_list(value, MODES) == expected


@pytest.mark.parametrize("value", ["巡察", "交叉、飞行检查", "常规巡察，暗访", "巡察巡查"])
def test_parse_enum_list_rejects(value: object) -> None:
    with pytest.raises(ValueParseError):
        parse_enum_list(value, MODES)


def test_parse_enum_list_message_names_item() -> None:
    with pytest.raises(ValueParseError, match="“飞行检查”.*常规、专项"):
        parse_enum_list("交叉、飞行检查", MODES)


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("东湖市、西山县", ["东湖市", "西山县"]),
        ("东湖市；西山县;南岭县", ["东湖市", "西山县", "南岭县"]),
        ("东湖市，西山县,南岭县", ["东湖市", "西山县", "南岭县"]),
        ("东湖市/西山县", ["东湖市", "西山县"]),
        ("东湖市\n西山县\r\n南岭县", ["东湖市", "西山县", "南岭县"]),
        (" 东湖市 、、 西山县 、", ["东湖市", "西山县"]),
        ("东湖市、无、—", ["东湖市"]),
        ("350582", ["350582"]),
        (350582, ["350582"]),
        ("ＡＢ局、（旧）东湖局", ["AB局", "(旧)东湖局"]),
    ],
)
def test_parse_text_list(value: object, expected: list[str]) -> None:
    assert parse_text_list(value) == expected


def test_parse_text_list_only_markers_is_none() -> None:
    assert parse_text_list("—、无") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 东湖市财政局 ", "东湖市财政局"),
        ("东湖\u3000财政局", "东湖财政局"),
        ("第１组", "第1组"),
        ("（社区）", "(社区)"),
        (12.0, "12"),
    ],
)
def test_parse_text(value: object, expected: str) -> None:
    assert parse_text(value) == expected


# --- dispatcher ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("text", " 东湖 ", "东湖"),
        ("code", 390122011.0, "390122011"),
        ("region_code", 350582.0, "350582"),
        ("date", "2023-03", D(2023, 3, 1)),
        ("deadline", "2023-03", D(2023, 3, 31)),
        ("integer", "12个", 12),
        ("money", "12.5万元", 12.5),
        ("ordinal", "第十三届", 13),
        ("boolean", "√", True),
        ("year", "2023年度", 2023),
        ("text_list", "东湖、西山", ["东湖", "西山"]),
        ("unit_ref", "\u3000中共东湖市财政局党组 ", "中共东湖市财政局党组"),
        ("office_ref", " 350582 ", "350582"),
        ("office_ref", "东湖市委巡察办", "东湖市委巡察办"),
        ("office_ref_list", "东湖市、西山县", ["东湖市", "西山县"]),
        ("integer", "—", None),
        ("deadline", "无", None),
    ],
)
def test_parse_value(type_name: str, value: object, expected: object) -> None:
    assert parse_value(type_name, value) == expected


def test_parse_value_enums() -> None:
    assert parse_value("enum", "已整改", enum=ENUMS["rectification_status"]) == "已完成"
    assert parse_value("enum_list", "交叉巡察、专项", enum=MODES) == ["交叉", "专项"]


def test_parse_value_errors() -> None:
    with pytest.raises(TypeError):
        parse_value("enum", "已整改")
    with pytest.raises(ValueError, match="unknown column type"):
        parse_value("colour", "red")
    with pytest.raises(ValueParseError):
        parse_value("integer", "很多")


def test_dispatcher_covers_every_registry_type() -> None:
    registry = yaml.safe_load((Path(__file__).parents[1] / "ingest" / "templates.yml").read_text())
    used = {col["type"] for t in registry["templates"].values() for col in t["columns"]}
    assert used <= set(PARSERS) | {"enum", "enum_list"}
