"""Phase A of ingest: one file → its matched sheets and typed detail rows.

This step needs nothing but the file itself (no registry of regions or units),
so its result is cached by content hash and computed in worker processes.
References stay as cleaned text here; `ingest.resolve` turns them into codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def type_row(cells: list[object], match: HeaderMatch, reg: Registry, row_number: int) -> ParsedRow:
    """Parse each mapped cell with its registry type; collect every problem, decide later."""
    values: dict[str, object] = {}
    sensitive: dict[str, str | None] = {}
    problems: list[CellProblem] = []
    labels: dict[str, str] = {}
    sensitive_idx = {i for i, c in match.columns.items() if c.sensitive}
    raw_cells = {
        match.labels[i] or f"列{i + 1}": _cell_text(v)
        for i, v in enumerate(cells)
        if i not in sensitive_idx and i < len(match.labels) and not is_empty(v)
    }
    for idx, column in match.columns.items():
        raw = cells[idx] if idx < len(cells) else None
        labels[column.name] = "".join(match.labels[idx].split())
        if column.sensitive:
            sensitive[column.name] = None if is_empty(raw) else _cell_text(raw)
            continue
        values[column.name] = _parse_cell(column, raw, reg, problems, labels[column.name])
    for column in match.template.columns:
        if column.name not in values and not column.sensitive:
            values[column.name] = column.default
    return ParsedRow(row_number, raw_cells, values, sensitive, problems, labels)


def _parse_cell(
    column: Column, raw: object, reg: Registry, problems: list[CellProblem], label: str
) -> object:
    enum = reg.enums[column.enum] if column.enum else None
    try:
        value = parse_value(column.type, raw, enum=enum)
    except ValueParseError as exc:
        problems.append(CellProblem(label, _cell_text(raw), str(exc)))
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
    typed = [
        type_row(cells, match, reg, number) for number, cells in detail_rows(rows, match.data_start)
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
