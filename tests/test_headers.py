"""Header detection (contract §3): where the header is, which template, how columns map."""

from __future__ import annotations

import pytest

from ingest.headers import HeaderMatch, NearMiss, find_header, flatten_two_rows
from ingest.readers import Sheet
from ingest.registry import registry

T2_HEADER = ["问题编号", "届次", "轮次", "被巡察单位", "问题类别", "整改状态"]
T3_HEADER = ["线索编号", "届次", "轮次", "被巡察单位", "反映对象管理层级", "移交日期"]


def match(rows, merged=None) -> HeaderMatch:
    found = find_header(Sheet("s", [list(r) for r in rows], merged or []), registry())
    assert isinstance(found, HeaderMatch), found
    return found


@pytest.mark.parametrize("offset", [0, 1, 5, 14])
def test_header_found_on_any_of_first_15_rows(offset: int) -> None:
    rows = [[""] * 6 for _ in range(offset)] + [T2_HEADER, ["WT1", 16, 1, "x", "其他", "完成"]]
    m = match(rows)
    assert m.template.code == "T2"
    assert m.header_row == offset
    assert m.data_start == offset + 1


def test_header_below_row_15_is_not_found() -> None:
    rows = [[""] * 6 for _ in range(15)] + [T2_HEADER]
    assert find_header(Sheet("s", rows), registry()) is None


@pytest.mark.parametrize(
    "header",
    [
        ["问题\n编号", "届\u3000次", "轮", "被巡察\n单位", "问题 类型", "整改情况"],
        ["问题编码", "届别", "轮次", "被巡视单位", "问题类别（类）", "整改进展"],
        ["整改状态", "问题类别", "被巡察党组织", "轮次", "届次", "问题编号"],
        [
            "序号",
            "联系电话",
            "问题编号",
            "届次",
            "轮次",
            "被巡察单位",
            "问题类别",
            "整改状态",
            "核实情况",
        ],
    ],
)
def test_variants_spacing_order_and_extra_columns(header: list[str]) -> None:
    m = match([["东湖市发现问题及整改台账（2023年度）"], ["填报单位：东湖市委巡察办"], header])
    assert m.template.code == "T2"
    assert {c.name for c in m.columns.values()} >= {
        "problem_code",
        "term",
        "round",
        "unit_code",
        "problem_category",
        "status",
    }


def test_trailing_unit_notes_in_brackets() -> None:
    header = [*T2_HEADER, "挽回经济损失(万元)", "建章立制（项）"]
    m = match([header])
    names = {c.name for c in m.columns.values()}
    assert {"recovered_loss_wan", "rules_established"} <= names


def test_t3_is_not_mistaken_for_t2() -> None:
    assert match([T3_HEADER]).template.code == "T3"


def test_two_row_header_with_merged_parent() -> None:
    top = ["序号", "区划", "统计年度", "发现问题数", "移交问题线索", "", "立案数"]
    bottom = ["", "", "", "", "数量", "其中县管干\u3000部", ""]
    merged = [((0, 4), (0, 5)), ((0, 0), (1, 0)), ((0, 1), (1, 1))]
    m = match([top, bottom, ["1", "990101", "2023", 3, 2, 1, 0]], merged)
    assert m.template.code == "T4"
    assert m.height == 2
    by_name = {c.name: i for i, c in m.columns.items()}
    assert by_name["clues"] == 4
    assert by_name["county_cadre_clues"] == 5
    assert m.data_start == 2


def test_two_row_header_without_merge_information() -> None:
    top = ["区划", "统计年度", "移交问题线索", ""]
    bottom = ["", "", "数量", "其中县管干部"]
    sheet = Sheet("csv", [top, bottom])
    assert flatten_two_rows(sheet, 0) == [
        "区划",
        "统计年度",
        "移交问题线索/数量",
        "移交问题线索/其中县管干部",
    ]
    m = match([top, bottom])
    assert {c.name for c in m.columns.values()} >= {"clues", "county_cadre_clues"}


def test_single_row_header_preferred_over_first_data_row() -> None:
    m = match([T2_HEADER, ["WT1", "16", "1", "财政局", "其他", "完成"]])
    assert m.height == 1


def test_near_miss_names_closest_template_and_missing_columns() -> None:
    found = find_header(
        Sheet("s", [["问题编号", "届次", "轮次", "被巡察单位", "问题类别"]]), registry()
    )
    assert isinstance(found, NearMiss)
    assert found.template.code == "T2"
    assert found.missing == ("整改状态",)
