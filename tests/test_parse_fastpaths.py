"""Phase A's shortcuts (issue 13) must give exactly what the general paths give.

Each shortcut is checked against the code it stands in for, on the contract §4 forms and on
the edge cases the shortcut has to recognise: full-width characters, whitespace and control
characters, empty markers, and cells whose values compare equal across types.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from ingest import text as text_mod
from ingest.headers import HeaderMatch, find_header
from ingest.parse import _cell_key, _Cells, parse_sheet
from ingest.readers import Sheet
from ingest.registry import registry
from ingest.text import clean_text, normalize_ref, to_halfwidth
from ingest.values import ValueParseError, parse_code, parse_date


def test_fold_prefilters_find_exactly_the_characters_their_tables_map() -> None:
    """`to_halfwidth` / `clean_text` skip translate when the regex finds nothing to map."""
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:  # surrogates are not characters of a str cell
            continue
        char = chr(code)
        assert bool(text_mod._HALFWIDTH_ANY.search(char)) == (code in text_mod._HALFWIDTH)
        assert bool(text_mod._TEXT_FOLD_ANY.search(char)) == (code in text_mod._TEXT_FOLD)


FORMS = [
    "Ａ类",
    "１２",
    "（社区）",
    "中共东湖市委\u3000巡察办",
    "a\u00a0b",
    "\u200bP-1\ufeff",
    "P2023-330102-0001",
    " P-1 ",
    "P\t1",
    "P\x1c1",
    "ab",
    "-",
    "--",
    "/",
    "—",
    "无",
    "   ",
    "",
    "abc",
    "a b c",
    "390122011",
    "２０２３年３月",
    "2023年3月15日 上午9:30",
    "2023.3.15",
    "2023/03/15",
    "20230315",
    "45000",
    "2023-3-15T09:30",
    "2023年13月1日",
    "不是日期",
]


@pytest.mark.parametrize("value", FORMS)
def test_to_halfwidth_and_clean_text_equal_translate(value: str) -> None:
    assert to_halfwidth(value) == value.translate(text_mod._HALFWIDTH)
    folded = value.translate(text_mod._TEXT_FOLD).strip()
    expected = None if text_mod.is_empty(value) or text_mod.is_empty(folded) else folded
    assert clean_text(value) == expected


@pytest.mark.parametrize("value", FORMS)
def test_parse_code_ascii_shortcut_equals_clean_and_normalise(value: str) -> None:
    text = clean_text(value)
    assert parse_code(value) == (None if text is None else normalize_ref(text))


def _date_or_error(value: object, deadline: bool) -> object:
    try:
        return parse_date(value, deadline=deadline)
    except ValueParseError as exc:
        return str(exc)


@pytest.mark.parametrize("deadline", [False, True])
def test_memoised_text_dates_equal_a_fresh_parse(deadline: bool) -> None:
    """A date text parsed twice (the second from the memo) gives the same date or message."""
    from ingest import values

    for value in FORMS + ["2023年3月", "2023-02", "2023年2月份"]:
        values._date_of_text.cache_clear()
        first = _date_or_error(value, deadline)
        assert _date_or_error(value, deadline) == first, value
        assert _date_or_error(value, not deadline) == _date_or_error(value, not deadline)
    assert parse_date("2023年2月", deadline=True) == dt.date(2023, 2, 28)
    assert parse_date("2023年2月") == dt.date(2023, 2, 1)


COLUMNS = [
    ("甲", "乙", None, "甲"),
    (1.0, 2.0, 1.0, None),
    (1, 1.0, True),
    (0.0, -0.0, 0.0),
    (-0.0, 5.0),
    (0, 0.0, False),
    (dt.date(2023, 1, 1), dt.datetime(2023, 1, 1), dt.datetime(2023, 1, 1, 9, 30)),
    (False, True, None, "是"),
    (0, 3, None),
    (float("nan"), 1.0),
]


@pytest.mark.parametrize("cells", COLUMNS)
def test_cells_memo_keeps_apart_what_typed_keys_keep_apart(cells: tuple[object, ...]) -> None:
    """Each row's representative cell is one that `_cell_key` calls equal to the row's."""
    memo = _Cells.of(cells)
    reps = [memo.distinct[key] for key in memo.keys]
    for cell, rep in zip(cells, reps, strict=True):
        assert _cell_key(cell) == _cell_key(rep) or (cell != cell and rep != rep)
        assert repr(cell) == repr(rep)


def test_a_money_column_keeps_minus_zero_apart_from_zero() -> None:
    """0.0 and -0.0 hash alike: the memo must not give -0.0's row the 0.0 of another."""
    header = ["问题编号", "届次", "轮次", "被巡察单位", "问题类别", "问题描述", "整改状态"]
    header.append("挽回损失（万元）")
    row = ["16", "4", "单位甲", "作风", "描述", "已完成"]
    body = [["P1", *row, 0.0], ["P2", *row, -0.0], ["P3", *row, 5.0]]
    sheet = Sheet(name="T2", rows=[header, *body])
    match = find_header(sheet, registry())
    assert isinstance(match, HeaderMatch)
    parsed = parse_sheet("T2", sheet.rows, match)
    money = parsed.values["recovered_loss_wan"]
    assert [repr(v) for v in money] == ["0.0", "-0.0", "5.0"]


ROW_STARTS = [
    *FORMS,
    "P2023-001",
    "1",
    "3.0",
    "A(1)",
    "A/B",
    "a/b(c)",
    "x)",
    "序号",
    "问题编号",
    "问题编号（个）",
    "合计",
    "全市小计",
    "注：本表",
    "说明:",
    "填表说明",
    "Note: x",
]


@pytest.mark.parametrize("text", ROW_STARTS)
def test_row_start_shortcuts_equal_the_memoised_rules(text: str) -> None:
    """ASCII row starts skip the memo: kind and header key stay what the rules give."""
    from ingest import body

    assert body._kind_of(text) == body._kind_of_text(text)
    assert body._first_key(text) == body._header_key(text)


RAW_CELLS = [
    "问题描述",
    "问题描述 \n",
    "abc\t",
    ' "引号" ',
    '"引号"在前',
    "反斜杠\\n不是换行",
    "控制\x00字符\x1f",
    "制表\t与换行\n\r",
    "\x07ab",
    "ab",
    "a b",
    "  ",
    "—",
    "无",
    "\u200b\ufeff",
    "非BMP𠀋𝌆😀",
    "\u2028行分隔\u2029",
    "\ud800",  # a lone surrogate: json.dumps escapes it, so must the shortcut
    "</script>",
    None,
    0.0,
    -0.0,
    1.0,
    3,
    True,
    False,
    float("nan"),
    2.5,
    dt.date(2023, 1, 1),
    dt.datetime(2023, 1, 1, 9, 30),
    dt.time(9, 30),
]


def _reference_shown(value: object) -> str | None:
    """raw_rows' text of a cell by the general rules, without any shortcut."""
    return None if text_mod.is_empty(value) else text_mod.cell_text(value)


@pytest.mark.parametrize("labels", [("甲", "乙", "丙"), ("甲", "乙", "甲"), ("甲", "空", "乙")])
def test_raw_rows_json_equals_json_dumps_of_each_row(labels: tuple[str, ...]) -> None:
    """`_cells_json` (fragments per distinct cell, joined per row) is json.dumps of the row's
    dict, byte for byte: escapes, non-BMP text, empty cells, mixed types, a label twice."""
    import json
    import random

    from ingest.parse import _cells_json, _SheetPlan

    rng = random.Random(13)
    rows = [[rng.choice(RAW_CELLS) for _ in labels] for _ in range(400)]
    rows += [[cell] * len(labels) for cell in RAW_CELLS]
    if "空" in labels:  # a column empty on every row (blank, a marker, a NaN)
        blank = labels.index("空")
        for row in rows:
            row[blank] = rng.choice([None, "", " ", "—", "无", float("nan")])
    columns = list(zip(*rows, strict=True))
    plan = _SheetPlan((), tuple(enumerate(labels)), (), {})
    memos = {i: _Cells.of(column) for i, column in enumerate(columns)}
    got = _cells_json(memos, plan, len(rows))
    for row, text in zip(rows, got, strict=True):
        pairs = zip(labels, row, strict=True)
        cells = {k: t for k, v in pairs if (t := _reference_shown(v)) is not None}
        assert text == json.dumps(cells, ensure_ascii=False), row
