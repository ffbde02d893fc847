"""Phase A of ingest: one file → its matched sheets and typed detail rows.

This step needs nothing but the file itself (no registry of regions or units),
so its result is cached by content hash and computed in worker processes.
References stay as cleaned text here; `ingest.resolve` turns them into codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TypeVar

from ingest.body import HeaderEcho, detail_rows, fill_body_merges
from ingest.headers import HeaderMatch, NearMiss, find_header
from ingest.metadata import SheetMetadata, read_metadata
from ingest.readers import Sheet, read_file
from ingest.registry import Column, Registry, Template, registry
from ingest.rules import FileRejected
from ingest.text import cell_text, text_is_empty
from ingest.values import ValueParseError, is_empty, parser_for

T = TypeVar("T")

PARSE_VERSION = 6  # bump to invalidate cached parse results


@dataclass(slots=True)
class CellProblem:
    """A value that is missing or cannot be parsed (a candidate R2)."""

    column_label: str
    value: str
    message: str


@dataclass(slots=True)
class ParsedSheet:
    """A matched sheet, stored by column: one list per column, one position per detail row.

    Columns rather than row objects keep the cache small and quick to unpickle and let
    phase B work a column at a time. List values (enum/text lists) may be shared between
    rows with the same cell, so they are read-only.
    """

    name: str
    template: str
    labels: tuple[str, ...]
    metadata: SheetMetadata
    row_numbers: list[int]  # 1-based Excel row of each detail row
    cells: list[str]  # per row: JSON object header label → cell text (sensitive columns left out)
    values: dict[str, list[object]]  # column name → typed values (references as text)
    sensitive: dict[str, list[str | None]]
    problems: dict[int, list[CellProblem]]  # row position → its problems, in column order
    column_labels: dict[str, str]  # column name → header label as written in this sheet

    def __len__(self) -> int:
        return len(self.row_numbers)


@dataclass(slots=True)
class ParsedFile:
    sheets: list[ParsedSheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "sheet: reason"
    rejection: tuple[str, str] | None = None  # (rule, message) of F1/F4
    near_miss: str | None = None  # F2 explanation when no sheet matched


@dataclass(frozen=True, slots=True)
class _SheetPlan:
    """What typing needs from a header match, worked out once per sheet."""

    columns: tuple[tuple[int, Column, str], ...]  # (index, column, compact label), column order
    raw_columns: tuple[tuple[int, str], ...]  # (index, label) of the columns raw_rows keeps
    defaults: tuple[tuple[str, object], ...]  # unmapped non-sensitive template columns
    labels: dict[str, str]  # column name → compact label


def _sheet_plan(match: HeaderMatch) -> _SheetPlan:
    labels: dict[str, str] = {}
    columns = []
    for idx, column in match.columns.items():
        label = "".join(match.labels[idx].split())
        labels[column.name] = label
        columns.append((idx, column, label))
    mapped = {c.name for c in match.columns.values() if not c.sensitive}
    defaults = tuple(
        (c.name, c.default)
        for c in match.template.columns
        if c.name not in mapped and not c.sensitive
    )
    sensitive_idx = {i for i, c in match.columns.items() if c.sensitive}
    raw_columns = tuple(
        (i, label or f"列{i + 1}") for i, label in enumerate(match.labels) if i not in sensitive_idx
    )
    return _SheetPlan(tuple(columns), raw_columns, defaults, labels)


# Cell types whose values can be equal across types (1 == 1.0 == True): a column holding
# two of them needs typed memo keys. No other pair of calamine's types ever compares equal
# (str, None, date, datetime, time, timedelta: a date is never equal to a datetime).
_NUMERIC = frozenset({int, float, bool})


def _cell_key(raw: object) -> object:
    """Memo key of a cell: equal keys parse and print alike.

    The type is part of it because 1 == 1.0 == True hash alike but parse differently; a
    float zero keys by its text because -0.0 == 0.0 but money keeps the sign.
    """
    if raw.__class__ is float and raw == 0.0:
        return (float, repr(raw))
    return (raw.__class__, raw)


@dataclass(frozen=True, slots=True)
class _Cells:
    """One column of a sheet's detail rows, so that each distinct cell is worked on once."""

    keys: Sequence[object]  # memo key per row
    distinct: dict[object, object]  # memo key → a cell with that key

    @classmethod
    def of(cls, cells: tuple[object, ...]) -> _Cells:
        """The usual column (text, blanks, one kind of number, dates) is its own key.

        Only a column mixing numeric types (1, 1.0, True) or holding a float zero (0.0 and
        -0.0 are equal but money keeps the sign) needs `_cell_key`'s typed keys.
        """
        try:
            if len(_NUMERIC.intersection(map(type, cells))) <= 1:
                distinct = dict(zip(cells, cells, strict=True))
                if 0.0 not in distinct or not any(c.__class__ is float for c in distinct):
                    return cls(cells, distinct)
            keys = [_cell_key(c) for c in cells]
            return cls(keys, dict(zip(keys, cells, strict=True)))
        except TypeError:  # an unhashable cell: no sharing in this column
            return cls(range(len(cells)), dict(enumerate(cells)))

    def apply(self, func: Callable[[object], T]) -> dict[object, T]:
        """`func` of each distinct cell, by memo key."""
        return {key: func(cell) for key, cell in self.distinct.items()}

    def spread(self, done: dict[object, T]) -> list[T]:
        """Each row's entry of `done` (a result per memo key)."""
        return list(map(done.__getitem__, self.keys))

    def map(self, func: Callable[[object], T]) -> list[T]:
        """`func` of each row's cell, computed once per distinct cell."""
        return self.spread(self.apply(func))


def _shown(value: object) -> str | None:
    """The cell's text for raw_rows, None for an empty cell.

    A text cell (most cells) skips `cell_text`'s type tests: its text is itself, stripped.
    """
    if value.__class__ is str:
        return None if text_is_empty(value) else value.strip()  # type: ignore[arg-type, attr-defined]
    return None if is_empty(value) else cell_text(value)


def _cells_json(columns: dict[int, _Cells], plan: _SheetPlan, n_rows: int) -> list[str]:
    """raw_rows.cells of each row, byte for byte what `json.dumps(dict)` of its cells gives.

    Each column's `"label": "text"` fragment is encoded once per distinct cell and a row is
    the join of its non-empty fragments, instead of a dict and a json.dumps per row. Labels
    written twice fall back to the dict, whose overwrite-in-place order a join cannot copy.
    """
    labels = [label for _, label in plan.raw_columns]
    if len(set(labels)) < len(labels):
        texts = [columns[i].map(_shown) for i, _ in plan.raw_columns]
        return [
            json.dumps(
                {k: t for k, t in zip(labels, row, strict=True) if t is not None},
                ensure_ascii=False,
            )
            for row in zip(*texts, strict=True)
        ]
    fragments = []
    for i, label in plan.raw_columns:
        done = _fragments(columns[i], f"{encode_basestring(label)}: ")
        if any(done.values()):  # a column empty on every row adds nothing to any row
            fragments.append(columns[i].spread(done))
    if not fragments:
        return ["{}"] * n_rows
    return ["{" + ", ".join(filter(None, row)) + "}" for row in zip(*fragments, strict=True)]


def _fragments(cells: _Cells, prefix: str) -> dict[object, str | None]:
    """`"label": "text"` of each distinct cell as json.dumps writes it, None when empty."""
    done: dict[object, str | None] = {}
    for key, value in cells.distinct.items():
        text = _shown(value)
        done[key] = None if text is None else prefix + encode_basestring(text)
    return done


def _typed_cells(
    column: Column, parser: Callable[[object], object], cells: _Cells
) -> tuple[dict[object, object], dict[object, str]]:
    """(value per memo key, problem message per failing memo key) of one column.

    Each distinct cell is parsed once: the value, or None and a message, or the
    column's default for an empty optional cell.
    """
    values: dict[object, object] = {}
    failing: dict[object, str] = {}
    not_null, default = column.not_null, column.default
    for key, raw in cells.distinct.items():
        try:
            value = parser(raw)
        except ValueParseError as exc:
            values[key] = None
            failing[key] = str(exc)
            continue
        if value is None or (value.__class__ is list and not value):
            if not_null:
                values[key] = None
                failing[key] = _empty_message(column, raw)
            else:
                values[key] = default
        else:
            values[key] = value
    return values, failing


def _empty_message(column: Column, raw: object) -> str:
    """issue 16: an empty (or "无", "/") required cell; for a choice column, the allowed values."""
    text = (cell_text(raw) or "").strip()
    what = f"填写的“{text}”不是有效内容" if text else "为空"
    if column.enum:
        allowed = "、".join(registry().enums[column.enum])
        return f"必填项“{column.label}”{what}，应为：{allowed}"
    return f"必填项“{column.label}”{what}"


def _type_column(
    column: Column,
    label: str,
    cells: tuple[object, ...],
    memo: _Cells,
    reg: Registry,
    problems: dict[int, list[CellProblem]],
) -> list[object]:
    """Type a whole column, parsing each distinct cell once; problems go to their row."""
    parser = parser_for(column.type, reg.enums[column.enum] if column.enum else None)
    values, failing = _typed_cells(column, parser, memo)
    if failing:
        for pos, key in enumerate(memo.keys):
            if key in failing:
                problem = CellProblem(label, cell_text(cells[pos]), failing[key])
                problems.setdefault(pos, []).append(problem)
    return memo.spread(values)


def parse_sheet(sheet_name: str, rows: list[list[object]], match: HeaderMatch) -> ParsedSheet:
    """Type the detail rows of a matched sheet, column by column."""
    reg = registry()
    metadata = read_metadata(rows[: match.header_row])
    plan = _sheet_plan(match)
    numbers: list[int] = []
    detail: list[list[object]] = []
    echo = HeaderEcho.of(rows, match)
    for number, cells in detail_rows(rows, match.data_start, echo):
        numbers.append(number)
        detail.append(cells)
    n_rows = len(detail)
    transposed = list(zip_longest(*detail)) if detail else []
    wanted = {i for i, _ in plan.raw_columns} | {i for i, _, _ in plan.columns}
    cells = {i: transposed[i] if i < len(transposed) else (None,) * n_rows for i in sorted(wanted)}
    memos = {i: _Cells.of(c) for i, c in cells.items()}
    values: dict[str, list[object]] = {}
    sensitive: dict[str, list[str | None]] = {}
    problems: dict[int, list[CellProblem]] = {}
    for idx, column, label in plan.columns:
        if column.sensitive:
            sensitive[column.name] = memos[idx].map(_shown)  # type: ignore[assignment]
        else:
            values[column.name] = _type_column(column, label, cells[idx], memos[idx], reg, problems)
    for name, default in plan.defaults:
        values.setdefault(name, [default] * n_rows)
    return ParsedSheet(
        name=sheet_name,
        template=match.template.code,
        labels=match.labels,
        metadata=metadata,
        row_numbers=numbers,
        cells=_cells_json(memos, plan, n_rows),
        values=values,
        sensitive=sensitive,
        problems=problems,
        column_labels=plan.labels,
    )


def parse_file(path: Path) -> ParsedFile:
    """Read and type one file; never raises for bad input — the result says what was wrong."""
    result = ParsedFile()
    try:
        sheets = read_file(path)
    except FileRejected as exc:
        result.rejection = (exc.rule, exc.message)
        return result
    reg = registry()
    nearest: NearMiss | None = None
    hidden_templates: list[str] = []  # "“表2”（T2 …）" of hidden sheets that match a template
    for sheet in sheets:
        if sheet.not_data is not None:
            _skip_not_data(sheet, reg, result, hidden_templates)
            continue
        found = find_header(sheet, reg)
        if isinstance(found, HeaderMatch):
            fill_body_merges(sheet.rows, sheet.merged, found.data_start)
            result.sheets.append(parse_sheet(sheet.name, sheet.rows, found))
            continue
        if isinstance(found, NearMiss) and (nearest is None or found.matched > nearest.matched):
            nearest = found
        reason = "空工作表" if not any(any(r) for r in sheet.rows) else "表头不匹配任何模板"
        result.skipped.append(f"{sheet.name}：{reason}")
    if not result.sheets:
        result.near_miss = _no_match_message(nearest, hidden_templates)
    return result


def _skip_not_data(
    sheet: Sheet, reg: Registry, result: ParsedFile, hidden_templates: list[str]
) -> None:
    """Log a hidden, chart or dialog sheet as skipped (v2 §3); never load it.

    A hidden sheet's header is still looked at, only so that a file whose template sheets
    are all hidden can be told so (F2) instead of "no sheet matches".
    """
    reason = sheet.not_data
    if sheet.hidden:
        found = find_header(sheet, reg)
        if isinstance(found, HeaderMatch):
            template = found.template
            hidden_templates.append(f"“{sheet.name}”（{template.code} {template.title}）")
            reason = f"{reason}（{template.code} {template.title}），隐藏的工作表不读取"
        else:
            reason = f"{reason}，隐藏的工作表不读取"
    result.skipped.append(f"{sheet.name}：{reason}")


def _no_match_message(nearest: NearMiss | None, hidden_templates: list[str]) -> str:
    """The F2 message: hidden template sheets first, since unhiding them is the fix."""
    if hidden_templates:
        return (
            f"没有可读取的工作表匹配任何模板：工作表{'、'.join(hidden_templates)}是隐藏的"
            "工作表，隐藏的工作表不读取（常是旧版副本）；如需报送，请取消隐藏后重新报送"
        )
    if nearest is not None:
        return (
            f"没有工作表匹配任何模板；最接近的是 {nearest.template.code}"
            f"（{nearest.template.title}），缺少必填列：{'、'.join(nearest.missing)}"
        )
    return "没有工作表匹配任何模板（前 15 行内未找到可识别的表头）"


def template_of(code: str) -> Template:
    return registry().templates[code]
