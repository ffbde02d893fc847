"""Phase B of ingest: decide each file's submitter and each row's fate at ingest.

File rules F2/F3 and row rules R1–R3 are decided here, in the order §8 gives:
a row gets one quarantine record, under the first rule it fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ingest.inbox import InboxFile
from ingest.parse import ParsedFile, ParsedSheet
from ingest.refs import RegionIndex, UnitIndex, UnresolvedReference
from ingest.registry import REF_TYPES, Template, registry


@dataclass(slots=True)
class Quarantined:
    sheet: str
    row_number: int
    template: str
    column_name: str | None
    value: str | None
    rule: str
    message: str


@dataclass(slots=True)
class LoadedSheet:
    """The rows of one sheet that passed R1–R3, as positions into its columns."""

    sheet: ParsedSheet
    template: Template
    values: dict[str, list[object]]  # the sheet's columns, references resolved to codes
    rows: list[int]  # positions of the loaded rows (other positions are not meaningful)


@dataclass(slots=True)
class FileOutcome:
    file: InboxFile
    submitter_code: str | None = None
    submission_date: date | None = None
    rule: str | None = None
    message: str | None = None
    loaded: list[LoadedSheet] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(len(s.rows) for s in self.loaded)


def resolve_submitter(
    parsed: ParsedFile, file: InboxFile, regions: RegionIndex
) -> tuple[str | None, str]:
    """填报单位 on a metadata line, else the inbox sub-folder; F3 when neither resolves."""
    tried: list[str] = []
    for sheet in parsed.sheets:
        text = sheet.metadata.submitter_text
        if text:
            try:
                return regions.resolve(text), f"填报单位“{text}”"
            except UnresolvedReference:
                tried.append(f"填报单位“{text}”")
    folder = file.top_folder
    if folder:
        try:
            return regions.resolve(folder), f"文件夹“{folder}”"
        except UnresolvedReference:
            tried.append(f"文件夹“{folder}”")
    if not tried:
        reason = "表内没有“填报单位：…”行，且文件不在以报送单位命名的文件夹中"
    else:
        reason = "、".join(tried) + "均无法对应到行政区划表中的区划"
    return None, f"无法确定报送单位：{reason}（请在表头上方写“填报单位：××市委巡察办”）"


def submission_date_of(parsed: ParsedFile) -> date | None:
    for sheet in parsed.sheets:
        if sheet.metadata.submission_date:
            return sheet.metadata.submission_date
    return None


def _resolve_refs(
    template: Template,
    sheet: ParsedSheet,
    units: UnitIndex,
    regions: RegionIndex,
) -> tuple[dict[str, list[object]], dict[int, tuple[str, str, str]]]:
    """Resolve the reference columns of a sheet; per failing row, its first failure in
    column order as (header label, text, message)."""
    values = dict(sheet.values)
    failures: dict[int, tuple[str, str, str]] = {}
    for column in template.columns:
        if column.type not in REF_TYPES:
            continue
        texts = values.get(column.name)
        if texts is None:
            continue
        resolve = units.resolve if column.type == "unit_ref" else regions.resolve
        label = sheet.column_labels.get(column.name, column.label)
        is_list = column.type == "office_ref_list"
        if is_list:
            distinct = {t for items in texts if items for t in items}  # type: ignore[attr-defined]
        else:
            distinct = {str(t) for t in texts if t is not None}
        found = _resolve_each(distinct, resolve)
        resolved = list(texts)
        for pos, text in enumerate(texts):
            if text is None or pos in failures:
                continue
            result = _lookup(text, found, is_list)
            if isinstance(result, UnresolvedReference):
                shown = "、".join(text) if is_list else text  # type: ignore[arg-type]
                failures[pos] = (label, shown, str(result))  # type: ignore[arg-type]
            else:
                resolved[pos] = result
        values[column.name] = resolved
    return values, failures


def _resolve_each(
    texts: set[str], resolve: Callable[[str], str]
) -> dict[str, str | UnresolvedReference]:
    """Each distinct reference text resolved once: its code, or the failure."""
    found: dict[str, str | UnresolvedReference] = {}
    for text in texts:
        try:
            found[text] = resolve(text)
        except UnresolvedReference as exc:
            found[text] = exc
    return found


def _lookup(text: object, found: dict[str, str | UnresolvedReference], is_list: bool) -> object:
    """The code (or list of codes) for one cell, or the failure of its first bad item."""
    if not is_list:
        return found[str(text)]
    codes = []
    for item in text:  # type: ignore[attr-defined]
        code = found[item]
        if isinstance(code, UnresolvedReference):
            return code
        codes.append(code)
    return codes


def _key_label(template: Template, sheet: ParsedSheet, name: str) -> str:
    if name in sheet.column_labels:
        return sheet.column_labels[name]
    try:
        return template.column(name).label
    except KeyError:
        return "组织单位（即报送单位）"


def key_columns(
    template: Template,
    values: dict[str, list[object]],
    names: tuple[str, ...],
    rows: list[int],
    submitter: str,
) -> list[tuple]:
    """Per row of `rows`, the tuple of columns `names`; an empty 组织单位 or 下发单位 is the
    submitter (§5, §6: `empty_is_submitter` in templates.yml) and a list value becomes a
    tuple so the key is hashable."""
    defaults = template.submitter_defaults
    parts = []
    for name in names:
        column = values.get(name)
        if column is None:
            cells: list[object] = [submitter if name in defaults else None] * len(rows)
        elif name in defaults:
            cells = [column[p] or submitter for p in rows]
        else:
            cells = [column[p] for p in rows]
        parts.append([tuple(v) if isinstance(v, list) else v for v in cells])
    return list(zip(*parts, strict=True)) if parts else [()] * len(rows)


def decide_rows(
    outcome: FileOutcome, parsed: ParsedFile, units: UnitIndex, regions: RegionIndex
) -> None:
    """Apply R1, R2, R3 to every detail row of a file whose submitter is known."""
    reg = registry()
    submitter = outcome.submitter_code or ""
    candidates: list[tuple[LoadedSheet, list[tuple]]] = []
    for sheet in parsed.sheets:
        template = reg.templates[sheet.template]
        values, failures = _resolve_refs(template, sheet, units, regions)
        rows: list[int] = []
        for pos, number in enumerate(sheet.row_numbers):
            failure = failures.get(pos)
            if failure:
                label, shown, message = failure
                outcome.quarantined.append(
                    Quarantined(sheet.name, number, template.code, label, shown, "R1", message)
                )
                continue
            problems = sheet.problems.get(pos)
            if problems:
                first = problems[0]
                outcome.quarantined.append(
                    Quarantined(
                        sheet.name,
                        number,
                        template.code,
                        first.column_label,
                        first.value,
                        "R2",
                        "；".join(p.message for p in problems),
                    )
                )
                continue
            rows.append(pos)
        loaded = LoadedSheet(sheet, template, values, rows)
        candidates.append(
            (loaded, key_columns(template, values, template.natural_key, rows, submitter))
        )
    counts = Counter((c.template.code, key) for c, keys in candidates for key in keys)
    for cand, keys in candidates:
        template = cand.template
        kept: list[int] = []
        for pos, key in zip(cand.rows, keys, strict=True):
            count = counts[(template.code, key)]
            if count == 1:
                kept.append(pos)
                continue
            labels = "、".join(_key_label(template, cand.sheet, n) for n in template.natural_key)
            shown = "、".join("" if v is None else str(v) for v in key)
            outcome.quarantined.append(
                Quarantined(
                    cand.sheet.name,
                    cand.sheet.row_numbers[pos],
                    template.code,
                    labels or None,
                    shown,
                    "R3",
                    f"自然键（{labels}）= {shown} 在本文件中出现 {count} 次，"
                    "所有重复行均未载入；请删除重复行或更正编号",
                )
            )
        if kept:
            cand.rows = kept
            outcome.loaded.append(cand)
