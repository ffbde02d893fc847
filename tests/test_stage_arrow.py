"""The stage builds its Arrow tables without polars (issue 13): the tables must equal
polars' `columns_frame(...).to_arrow()`, value for value and type for type, on every kind of
column the templates have and on the values a parser or a default can put there."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pyarrow as pa
import pytest

from ingest.load import Repeat, arrow_schema, columns_frame, columns_table

SCHEMA: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "when": pl.Date(),
    "count": pl.Int64(),
    "row_number": pl.Int32(),
    "money": pl.Float64(),
    "flag": pl.Boolean(),
    "refs": pl.List(pl.Utf8()),
}

COLUMNS: list[dict[str, list | Repeat]] = [
    {
        "text": ['引号"与\\反斜杠', "控制\x00\x1f", "非BMP𠀋😀", "", None],
        "when": [dt.date(2023, 1, 31), None, dt.date(1900, 3, 1), dt.date(2099, 12, 31), None],
        "count": [0, None, 2**40, 7, 1],
        "row_number": [1, 2, 1048576, 5, 6],
        "money": [-0.0, 0.0, float("nan"), 3, None],  # an int among floats, as a default is
        "flag": [True, False, None, True, False],
        "refs": [["甲", "乙"], [], None, ["甲"], ["𠀋", ""]],
    },
    {  # polars takes True as a count (1) where Arrow will not: the fallback keeps that
        "text": Repeat("文件.xlsx", 3),
        "when": Repeat(dt.date(2024, 2, 29), 3),
        "count": [True, 2, None],
        "row_number": [3, 4, 5],
        "money": Repeat(None, 3),
        "flag": Repeat(None, 3),
        "refs": Repeat(None, 3),
    },
    {name: Repeat(None, 0) for name in SCHEMA},
]


def _cells(table: pa.Table) -> list[list[object]]:
    """Every value, with -0.0 and NaN told apart from 0.0 and from each other."""

    def key(value: object) -> object:
        if isinstance(value, float):
            return "nan" if math.isnan(value) else repr(value)
        return value

    return [[key(v) for v in column.to_pylist()] for column in table.columns]


@pytest.mark.parametrize("columns", COLUMNS)
def test_columns_table_equals_columns_frame_to_arrow(columns: dict[str, list | Repeat]) -> None:
    expected = columns_frame(columns, SCHEMA).to_arrow()
    got = columns_table(columns, SCHEMA, arrow_schema(SCHEMA))
    assert got.schema == expected.schema
    assert _cells(got) == _cells(expected)
