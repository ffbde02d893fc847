"""Phase B of ingest: decide each file's submitter and each row's fate at ingest.

File rules F2/F3 and row rules R1–R3 are decided here, in the order §8 gives:
a row gets one quarantine record, under the first rule it fails.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ingest.inbox import InboxFile
from ingest.parse import ParsedFile, ParsedRow
from ingest.refs import RegionIndex, UnitIndex, UnresolvedReference
from ingest.registry import Template, registry


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
class LoadedRow:
    sheet: str
    template: str
    row: ParsedRow
    values: dict[str, object]  # references resolved to codes


@dataclass(slots=True)
class FileOutcome:
    file: InboxFile
    submitter_code: str | None = None
    submission_date: date | None = None
    rule: str | None = None
    message: str | None = None
    loaded: list[LoadedRow] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


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
    row: ParsedRow,
    units: UnitIndex,
    regions: RegionIndex,
) -> tuple[dict[str, object], tuple[str, str, str] | None]:
    """Resolve reference columns; the first failure is (header label, text, message)."""
    values = dict(row.values)
    for column in template.columns:
        if column.type not in {"unit_ref", "office_ref", "office_ref_list"}:
            continue
        text = values.get(column.name)
        if text is None:
            continue
        try:
            if column.type == "unit_ref":
                values[column.name] = units.resolve(str(text))
            elif column.type == "office_ref":
                values[column.name] = regions.resolve(str(text))
            else:
                values[column.name] = [regions.resolve(t) for t in text]  # type: ignore[union-attr]
        except UnresolvedReference as exc:
            label = row.labels.get(column.name, column.label)
            shown = text if isinstance(text, str) else "、".join(text)  # type: ignore[arg-type]
            return values, (label, shown, str(exc))
    return values, None


def organiser(values: dict[str, object], submitter: str) -> object:
    """§6: an empty 组织单位 means the submitter organised the inspection."""
    return values.get("organiser_code") or submitter


def _key_label(template: Template, row: ParsedRow, name: str) -> str:
    if name in row.labels:
        return row.labels[name]
    try:
        return template.column(name).label
    except KeyError:
        return "组织单位（即报送单位）"


def natural_key(template: Template, values: dict[str, object], submitter: str) -> tuple:
    """The template's natural key; an organiser defaults to the submitter (§5, §6)."""
    key = []
    for name in template.natural_key:
        value = organiser(values, submitter) if name == "organiser_code" else values.get(name)
        key.append(tuple(value) if isinstance(value, list) else value)
    return tuple(key)


def decide_rows(
    outcome: FileOutcome, parsed: ParsedFile, units: UnitIndex, regions: RegionIndex
) -> None:
    """Apply R1, R2, R3 to every detail row of a file whose submitter is known."""
    reg = registry()
    submitter = outcome.submitter_code or ""
    candidates: list[LoadedRow] = []
    for sheet in parsed.sheets:
        template = reg.templates[sheet.template]
        for row in sheet.rows:
            values, failure = _resolve_refs(template, row, units, regions)
            if failure:
                label, shown, message = failure
                outcome.quarantined.append(
                    Quarantined(
                        sheet.name, row.row_number, template.code, label, shown, "R1", message
                    )
                )
                continue
            if row.problems:
                first = row.problems[0]
                outcome.quarantined.append(
                    Quarantined(
                        sheet.name,
                        row.row_number,
                        template.code,
                        first.column_label,
                        first.value,
                        "R2",
                        "；".join(p.message for p in row.problems),
                    )
                )
                continue
            candidates.append(LoadedRow(sheet.name, template.code, row, values))
    counts = Counter(
        (c.template, natural_key(reg.templates[c.template], c.values, submitter))
        for c in candidates
    )
    for cand in candidates:
        template = reg.templates[cand.template]
        key = natural_key(template, cand.values, submitter)
        if counts[(cand.template, key)] > 1:
            labels = "、".join(_key_label(template, cand.row, n) for n in template.natural_key)
            shown = "、".join("" if v is None else str(v) for v in key)
            outcome.quarantined.append(
                Quarantined(
                    cand.sheet,
                    cand.row.row_number,
                    cand.template,
                    labels or None,
                    shown,
                    "R3",
                    f"自然键（{labels}）= {shown} 在本文件中出现 {counts[(cand.template, key)]} 次，"
                    "所有重复行均未载入；请删除重复行或更正编号",
                )
            )
        else:
            outcome.loaded.append(cand)
