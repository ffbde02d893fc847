"""Text normalisation (contract §3 header text, §4 "text" and unit references)."""

import datetime as dt

import pytest

from ingest.text import (
    clean_text,
    is_empty,
    normalize_header,
    normalize_ref,
    strip_party_affixes,
    to_halfwidth,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("ａｂｃ", "abc"),
        ("（社区）", "(社区)"),
        ("其中：县管干部", "其中:县管干部"),
        ("１，０１３", "1,013"),
        ("Ｔ２－００１", "T2-001"),
        ("！～", "!~"),
        ("a\u3000b", "a b"),
        ("㈠①〔2023〕", "㈠①〔2023〕"),  # NFKC would rewrite these
        ("东湖市", "东湖市"),
        ("", ""),
    ],
)
def test_to_halfwidth(raw: str, expected: str) -> None:
    assert to_halfwidth(raw) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", " ", "\u3000", "\u3000 \t\n", "\xa0", "—", "——", "－", "-", "--", "/", "／", "无"]
    + [" 无 ", "\u3000—\u3000", float("nan")],
)
def test_is_empty_true(value: object) -> None:
    assert is_empty(value) is True


@pytest.mark.parametrize(
    "value", [0, 0.0, False, "0", "无锡市", "-1", "否", "x", dt.date(2024, 1, 1), "N/A"]
)
def test_is_empty_false(value: object) -> None:
    assert is_empty(value) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  东湖市财政局  ", "东湖市财政局"),
        ("\u3000东湖市\u3000财政局\u3000", "东湖市财政局"),
        ("ＡＢＣ１２３", "ABC123"),
        ("对村（社区）", "对村(社区)"),
        ("［一］｛二｝", "[一]{二}"),
        ("问题：落实不力，整改滞后。", "问题：落实不力，整改滞后。"),  # punctuation kept
        ("第１２条", "第12条"),
        ("a b", "a b"),
        ("\xa0东湖\xa0", "东湖"),
        ("\u200b东湖", "东湖"),
        (12, "12"),
        (3.0, "3"),
        (2.5, "2.5"),
        (390122011.0, "390122011"),
        (dt.date(2024, 7, 5), "2024-07-05"),
        (dt.datetime(2024, 7, 5), "2024-07-05"),
        (dt.datetime(2024, 7, 5, 9, 30), "2024-07-05 09:30:00"),
        (None, None),
        ("", None),
        ("\u3000\u3000", None),
        ("—", None),
        ("无", None),
        ("/", None),
        ("-", None),
    ],
)
def test_clean_text(value: object, expected: str | None) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发现问题（个）", "发现问题"),
        ("发现问题(个)", "发现问题"),
        ("发现问题 （个）", "发现问题"),
        ("挽回经济损失（万元）", "挽回经济损失"),
        ("挽回经济损失(万元)", "挽回经济损失"),
        ("挽回经济损失", "挽回经济损失"),
        ("建立完善制度（项）", "建立完善制度"),
        ("处分人数(人)", "处分人数"),
        ("移交问题线索（件）", "移交问题线索"),
        ("发现\n问题", "发现问题"),
        ("发现\r\n问题\t", "发现问题"),
        ("发\u3000现\xa0问 题", "发现问题"),
        ("其中：县管干部", "其中:县管干部"),
        ("其中:县管干部", "其中:县管干部"),
        ("移交问题线索/其中县管干部", "移交问题线索/其中县管干部"),
        ("移交问题线索／其中\n县管干部（人）", "移交问题线索/其中县管干部"),
        ("（万元）", "(万元)"),  # nothing before the note: kept
        ("县（市、区）数（个）", "县(市、区)数"),  # only ONE trailing note dropped
        ("县（市、区）", "县"),
        ("单位名称（盖章）备注", "单位名称(盖章)备注"),  # not trailing
        ("ＡＢＣ", "ABC"),
    ],
)
def test_normalize_header(raw: str, expected: str) -> None:
    assert normalize_header(raw) == expected


@pytest.mark.parametrize(
    ("header", "variant"),
    [
        ("挽回经济损失（万元）", "挽回经济损失"),
        ("挽回损失(万元)", "挽回损失（万元）"),
        ("其中：县管干部", "其中:县管干部"),
        ("建章立制 （项）", "建章立制（项）"),
        ("移交问题线索/\n其中县管干部", "移交问题线索/其中县管干部"),
    ],
)
def test_normalize_header_header_matches_variant(header: str, variant: str) -> None:
    assert normalize_header(header) == normalize_header(variant)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("东湖市 财政局", "东湖市财政局"),
        ("\u3000东湖市\u3000财政局\n", "东湖市财政局"),
        ("乡镇（街道）", "乡镇(街道)"),
        ("３５０５８２", "350582"),
        ("东湖市委巡察办：", "东湖市委巡察办:"),
        ("中共东湖市财政局党组", "中共东湖市财政局党组"),
    ],
)
def test_normalize_ref(raw: str, expected: str) -> None:
    assert normalize_ref(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("中共东湖市财政局党组", "东湖市财政局"),
        ("中共东湖市教育局委员会", "东湖市教育局委员会"),
        ("东湖市财政局党组", "东湖市财政局"),
        ("中共城关镇委员会", "城关镇委员会"),
        ("城关镇党委", "城关镇"),
        ("开发区党工委", "开发区"),
        ("东湖村党总支", "东湖村"),
        ("东湖村党支部", "东湖村"),
        ("东湖市财政局", "东湖市财政局"),
        ("中共东湖市委", "东湖市委"),
        ("中共", "中共"),
        ("党委", "党委"),
        ("中共党委", "党委"),  # prefix first; the suffix would leave nothing: kept
    ],
)
def test_strip_party_affixes(name: str, expected: str) -> None:
    assert strip_party_affixes(name) == expected
