"""Phase A of ingest: one file → its matched sheets and typed detail rows.

This step needs nothing but the file itself (no registry of regions or units),
so its result is cached by content hash and computed in worker processes.
References stay as cleaned text here; `ingest.resolve` turns them into codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.body import detail_rows
from ingest.headers import HeaderMatch, NearMiss, find_header
from ingest.metadata import SheetMetadata, read_metadata
from ingest.readers import read_file
from ingest.registry import Column, Registry, Template, registry
from ingest.rules import FileRejected
from ingest.values import ValueParseError, is_empty, parse_value

PARSE_VERSION = 2  # bump to invalidate cached parse results


@dataclass(slots=True)
class CellProblem:
    """A value that is missing or cannot be parsed (a candidate R2)."""

    column_label: str
    value: str
    message: str


@dataclass(slots=True)
class ParsedRow:
    row_number: int
    cells: dict[str, str]  # header label → cell text (sensitive columns left out)
    values: dict[str, object]  # column name → typed value (references as text)
    sensitive: dict[str, str | None]
    problems: list[CellProblem]
    labels: dict[str, str]  # column name → header label as written in this sheet


@dataclass(slots=True)
class ParsedSheet:
    name: str
    template: str
    labels: tuple[str, ...]
    metadata: SheetMetadata
    rows: list[ParsedRow]


@dataclass(slots=True)
class ParsedFile:
    sheets: list[ParsedSheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "sheet: reason"
    rejection: tuple[str, str] | None = None  # (rule, message) of F1/F4
    near_miss: str | None = None  # F2 explanation when no sheet matched


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@lru_cache(maxsize=1 << 16, typed=True)
def _shown_text(value: object) -> str | None:
    """`_cell_text` of a non-empty cell, None for an empty one; memoised per value and type."""
    return None if is_empty(value) else _cell_text(value)


@dataclass(frozen=True, slots=True)
class _RowPlan:
    """What `type_row` needs from a header match, computed once per sheet instead of per row."""

    sensitive_idx: frozenset[int]
    n_labels: int
    raw_labels: tuple[str, ...]  # label per column index for ParsedRow.cells
    columns: tuple[tuple[int, Column, str], ...]  # (index, column, compact label)
    defaults: tuple[tuple[str, object], ...]  # unmapped non-sensitive template columns
    labels: dict[str, str]  # column name → compact label (shared by the sheet's rows)


def _row_plan(match: HeaderMatch) -> _RowPlan:
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
    return _RowPlan(
        sensitive_idx=frozenset(i for i, c in match.columns.items() if c.sensitive),
        n_labels=len(match.labels),
        raw_labels=tuple(label or f"列{i + 1}" for i, label in enumerate(match.labels)),
        columns=tuple(columns),
        defaults=defaults,
        labels=labels,
    )


def type_row(
    cells: list[object],
    match: HeaderMatch,
    reg: Registry,
    row_number: int,
    plan: _RowPlan | None = None,
) -> ParsedRow:
    """Parse each mapped cell with its registry type; collect every problem, decide later.

    `plan` is `_row_plan(match)`, passed by `parse_sheet` so it is built once per sheet;
    rows of one sheet then share one (read-only) `labels` dict.
    """
    if plan is None:
        plan = _row_plan(match)
    values: dict[str, object] = {}
    sensitive: dict[str, str | None] = {}
    problems: list[CellProblem] = []
    sensitive_idx = plan.sensitive_idx
    n_labels = plan.n_labels
    raw_labels = plan.raw_labels
    try:
        raw_cells = {
            raw_labels[i]: text
            for i, v in enumerate(cells)
            if i not in sensitive_idx and i < n_labels and (text := _shown_text(v)) is not None
        }
    except TypeError:  # an unhashable cell value: the same, without the memo
        raw_cells = {
            raw_labels[i]: _cell_text(v)
            for i, v in enumerate(cells)
            if i not in sensitive_idx and i < n_labels and not is_empty(v)
        }
    n_cells = len(cells)
    for idx, column, label in plan.columns:
        raw = cells[idx] if idx < n_cells else None
        if column.sensitive:
            sensitive[column.name] = None if is_empty(raw) else _cell_text(raw)
            continue
        values[column.name] = _parse_cell(column, raw, reg, problems, label)
    for name, default in plan.defaults:
        if name not in values:
            values[name] = default
    return ParsedRow(row_number, raw_cells, values, sensitive, problems, plan.labels)


# Parsed cells memoised per (registry type, enum block, Python type of the cell, cell value):
# the same 是/否, enum spellings, dates, years and ordinals recur on thousands of rows.
# The Python type is part of the key because 1 == 1.0 == True hash alike but parse differently.
_PARSE_CACHE_SIZE = 1 << 17
_parse_cache: dict[tuple, tuple[bool, object]] = {}
_ENUM_BLOCKS: dict[int, object] = {}  # keeps cached enum blocks alive so their ids stay unique


def _parse_memo(type_name: str, raw: object, enum) -> tuple[bool, object]:  # type: ignore[no-untyped-def]
    """(True, value) or (False, error message) for `parse_value(type_name, raw, enum=enum)`."""
    key: tuple | None = (type_name, id(enum), raw.__class__, raw)
    try:
        hit = _parse_cache.get(key)  # type: ignore[arg-type]
    except TypeError:  # an unhashable cell: parse it every time
        hit, key = None, None
    if raw.__class__ is float and raw == 0.0:
        key = None  # -0.0 == 0.0 but parse_money keeps the sign: never share them
    if hit is None or key is None:
        try:
            hit = (True, parse_value(type_name, raw, enum=enum))
        except ValueParseError as exc:
            hit = (False, str(exc))
        if key is not None:
            if len(_parse_cache) >= _PARSE_CACHE_SIZE:
                _parse_cache.clear()
            if enum is not None:
                _ENUM_BLOCKS[id(enum)] = enum
            _parse_cache[key] = hit
    ok, value = hit
    if ok and isinstance(value, list):
        return ok, list(value)  # callers may own (and change) the list they get
    return hit


def _parse_cell(
    column: Column, raw: object, reg: Registry, problems: list[CellProblem], label: str
) -> object:
    enum = reg.enums[column.enum] if column.enum else None
    ok, value = _parse_memo(column.type, raw, enum)
    if not ok:
        problems.append(CellProblem(label, _cell_text(raw), value))  # type: ignore[arg-type]
        return None
    if value is None or value == []:
        if column.not_null:
            problems.append(CellProblem(label, _cell_text(raw), f"必填项“{column.label}”为空"))
            return None
        return column.default
    return value


def parse_sheet(sheet_name: str, rows: list[list[object]], match: HeaderMatch) -> ParsedSheet:
    reg = registry()
    metadata = read_metadata(rows[: match.header_row])
    plan = _row_plan(match)
    typed = [
        type_row(cells, match, reg, number, plan)
        for number, cells in detail_rows(rows, match.data_start)
    ]
    return ParsedSheet(sheet_name, match.template.code, match.labels, metadata, typed)


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
    for sheet in sheets:
        found = find_header(sheet, reg)
        if isinstance(found, HeaderMatch):
            result.sheets.append(parse_sheet(sheet.name, sheet.rows, found))
            continue
        if isinstance(found, NearMiss) and (nearest is None or found.matched > nearest.matched):
            nearest = found
        reason = "空工作表" if not any(any(r) for r in sheet.rows) else "表头不匹配任何模板"
        result.skipped.append(f"{sheet.name}：{reason}")
    if not result.sheets:
        if nearest is not None:
            result.near_miss = (
                f"没有工作表匹配任何模板；最接近的是 {nearest.template.code}"
                f"（{nearest.template.title}），缺少必填列：{'、'.join(nearest.missing)}"
            )
        else:
            result.near_miss = "没有工作表匹配任何模板（前 15 行内未找到可识别的表头）"
    return result


def template_of(code: str) -> Template:
    return registry().templates[code]
