"""Feedback to submitters (退回修改清单): one workbook per office with something to fix.

After a refresh, every office with a rejected file (F1–F4), a quarantined row
(R1–R3 at ingest, R4–R8 in dbt, incl. the T8 self-check rows of contract v2) or a
self-check it still owes after the 自查时限 (W4) gets
`HOME/feedback/<region code>/退回修改清单_<code>_<name>.xlsx`:

* 说明 — what the list is and how to resubmit;
* 汇总 — every item: file, sheet, Excel row, column, value, rule, what is wrong, how to fix;
* 未报送自查 (W4) — the units of the office's region that have not answered a common
  problem whose 自查时限 has passed. T8 is kept by the office of the region where the
  unit sits (§5), so that office gets the unit, whichever office issued the problem
  (`fct_common_problem_obligation.reporting_office_code`);
* one sheet per affected source sheet, the rows as the office wrote them, in the
  office's own header labels and column order (from `raw_rows.cells`), the
  offending cell highlighted.

Workbooks not written by this refresh are deleted, so an office whose
corrected file passed gets no list any more. Files whose office cannot be
determined at all (F3 at the inbox root) go to `HOME/feedback/未确定报送单位/`.
The work warehouse is opened read-only and closed before any workbook is written.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import xlsxwriter

from contract.rules import catalog
from contract.rules import title as rule_title
from home import Home
from orchestration.status import table_names
from reports.sheet import FONT, Formats, ListSheet, display_width

UNRESOLVED = "未确定报送单位"
WORKBOOK_PREFIX = "退回修改清单"

# 修改方法 per rule, as offices read them: the rule catalog's hints (contract/rules.yml)
FIX_HINTS: dict[str, str] = {r.id: r.hint for r in catalog().rules.values() if r.hint}


HOW_TO = (
    "请按“汇总”表逐条改正原文件（行号即 Excel 左侧显示的行号），然后用同一文件名重新报送。",
    "改正后的文件经下一次刷新入库后，本清单中对应的条目会自动消失；全部改正后不再生成清单。",
    "各“数字-工作表名”页按原表的表头列出有问题的行，标红的单元格是需要修改的位置，"
    "鼠标停在标红单元格上（或打印的批注）可看到问题说明。",
)


@dataclass
class Item:
    file_path: str
    rule: str
    message: str
    sheet: str | None = None
    row_number: int | None = None
    column_name: str | None = None
    value: str | None = None
    file_sha256: str | None = None


OWED_HINT = catalog().rule("W4").hint  # the text above the 未报送自查 sheet


@dataclass
class Owed:
    """One self-check an office still owes (W4): a unit of its region, one common problem."""

    issuer_name: str
    common_problem_code: str
    category: str
    deadline: object
    unit_code: str
    unit_name: str


@dataclass
class SubmitterFeedback:
    code: str  # region code, or UNRESOLVED
    name: str
    rejected: list[Item] = field(default_factory=list)
    rows: list[Item] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)


@dataclass
class FeedbackData:
    as_of: str | None
    submitters: dict[str, SubmitterFeedback]
    cells: dict[tuple[str, str, int], dict[str, str]]  # (sha, sheet, row) → header → text
    columns: dict[tuple[str, str], list[str]]  # (sha, sheet) → header labels in sheet order
    names: dict[str, str] = field(default_factory=dict)  # region and unit code → name


def resolve_region(hint: str | None, regions: dict[str, str]) -> str | None:
    """A folder name → region code: the code itself, or the longest region name it contains."""
    if not hint:
        return None
    hint = hint.strip()
    if hint in regions:
        return hint
    found = [(len(name), code) for code, name in regions.items() if name and name in hint]
    return max(found)[1] if found else None


def _merge_order(order: list[str], keys: list[str]) -> None:
    """Insert unseen keys after their predecessor, so sparse rows still give the sheet's order."""
    previous: str | None = None
    for key in keys:
        if key not in order:
            order.insert(order.index(previous) + 1 if previous is not None else 0, key)
        previous = key


def collect(home: Home) -> FeedbackData:
    """Everything the workbooks need, read in one short read-only session."""
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        tables = table_names(con)
        if "raw_ingest_files" not in tables:
            return FeedbackData(None, {}, {}, {})
        region_sql = (
            "SELECT region_code, region_name FROM raw_r0_region WHERE is_current"
            if "raw_r0_region" in tables
            else "SELECT region_code, region_name FROM dim_region"
        )
        regions = (
            dict(con.execute(region_sql).fetchall())
            if ("raw_r0_region" in tables or "dim_region" in tables)
            else {}
        )
        names = dict(regions)
        if "raw_t0_unit" in tables:
            names |= dict(
                con.execute(
                    "SELECT unit_code, unit_name FROM raw_t0_unit WHERE is_current"
                ).fetchall()
            )
        as_of = None
        if "raw_refresh" in tables:
            got = con.execute("SELECT max(as_of) FROM raw_refresh").fetchone()
            as_of = got[0].isoformat() if got and got[0] else None
        rejected = con.execute(
            "SELECT file_path, file_sha256, rule, message, submitter_hint FROM raw_ingest_files "
            "WHERE rule IS NOT NULL ORDER BY file_path"
        ).fetchall()
        row_sql = (
            "SELECT file_path, file_sha256, sheet, row_number, column_name, value, rule, message, "
            "submitter_code FROM raw_quarantine WHERE is_current"
        )
        if {"quarantine", "ingest_files"} <= tables:
            # dbt's R4–R6; joined on the hash so a mart left from an older refresh is ignored
            row_sql += """
                UNION ALL
                SELECT q.file_path, r.file_sha256, q.sheet, q.row_number, q.column_name, q.value,
                       q.rule, q.message, r.submitter_code
                FROM quarantine q
                JOIN ingest_files i ON i.file_path = q.file_path
                JOIN raw_ingest_files r
                  ON r.file_path = i.file_path AND r.file_sha256 = i.file_sha256
                WHERE q.rule IN ('R4', 'R5', 'R6', 'R7', 'R8')
            """
        quarantined = con.execute(
            f"SELECT * FROM ({row_sql}) ORDER BY file_path, sheet, row_number, rule"
        ).fetchall()
        owed = (
            con.execute(
                """
                SELECT reporting_office_code, issuer_name, common_problem_code, problem_category,
                       deadline, unit_code, unit_name
                FROM fct_common_problem_obligation WHERE is_overdue_unanswered
                ORDER BY reporting_office_code, issuer_code, common_problem_code, unit_code
                """
            ).fetchall()
            if "fct_common_problem_obligation" in tables
            else []
        )
        shas = sorted({r[1] for r in quarantined if r[1]})
        raw_rows = (
            con.execute(
                "SELECT file_sha256, sheet, row_number, cells FROM raw_rows "
                "WHERE list_contains(?, file_sha256) ORDER BY file_sha256, sheet, row_number",
                [shas],
            ).fetchall()
            if shas and "raw_rows" in tables
            else []
        )
    finally:
        con.close()

    cells: dict[tuple[str, str, int], dict[str, str]] = {}
    columns: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sha, sheet, row_number, text in raw_rows:
        values = json.loads(text) if text else {}
        cells[(sha, sheet, row_number)] = values
        _merge_order(columns[(sha, sheet)], list(values))

    submitters: dict[str, SubmitterFeedback] = {}

    def entry(code: str | None) -> SubmitterFeedback:
        key = code or UNRESOLVED
        if key not in submitters:
            submitters[key] = SubmitterFeedback(key, regions.get(key, "") if code else UNRESOLVED)
        return submitters[key]

    for file_path, sha, rule, message, hint in rejected:
        entry(resolve_region(hint, regions)).rejected.append(
            Item(file_path=file_path, rule=rule, message=message or "", file_sha256=sha)
        )
    for file_path, sha, sheet, row_number, column, value, rule, message, code in quarantined:
        entry(code).rows.append(
            Item(
                file_path=file_path,
                rule=rule,
                message=message or "",
                sheet=sheet,
                row_number=row_number,
                column_name=column,
                value=value,
                file_sha256=sha,
            )
        )
    for office, issuer, code, category, deadline, unit_code, unit_name in owed:
        entry(office).owed.append(
            Owed(issuer or "", code, category or "", deadline, unit_code, unit_name or unit_code)
        )
    return FeedbackData(as_of, submitters, cells, dict(columns), names)


def workbook_name(fb: SubmitterFeedback) -> str:
    label = f"{fb.code}_{fb.name}" if fb.name and fb.name != fb.code else fb.code
    return f"{WORKBOOK_PREFIX}_{_safe(label)}.xlsx"


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "_"


def _sheet_title(used: set[str], index: int, sheet: str) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{index}-{sheet}")[:31]
    title, n = base, 2
    while title.lower() in used:
        title = f"{base[:28]}~{n}"
        n += 1
    used.add(title.lower())
    return title


def _norm(label: str) -> str:
    return re.sub(r"\s+", "", str(label).replace("\u3000", ""))


CODE = re.compile(r"(?<![0-9A-Za-z])([0-9]{6}(?:[0-9]{3})?)(?![0-9A-Za-z（(])")


def with_names(text: str, names: dict[str, str]) -> str:
    """Each region or unit code in a message followed by its name: 580321（某县）."""
    if not names:
        return text

    def named(m: re.Match[str]) -> str:
        code, name = m[1], names.get(m[1])
        if not name or text[max(0, m.start() - len(name) - 1) : m.start()].startswith(name):
            return code  # unknown, or already written as 名称（代码）
        return f"{code}（{name}）"

    return CODE.sub(named, text)


def own_label(column: str | None, own: list[str]) -> str | None:
    """The sheet's own header label for a quarantined column (named by the standard's label).

    The label itself when the sheet has it; else the sheet's label that the registry maps
    to a template column whose standard label (or name) is `column` (完成日期 → 办结日期).
    """
    from ingest.registry import registry
    from ingest.text import normalize_header

    if not column:
        return None
    target = _norm(column)
    for label in own:
        if _norm(label) == target:
            return label
    index = registry().header_index
    for label in own:
        for col in index.get(normalize_header(label), {}).values():
            if _norm(col.label) == target or col.name == column:
                return label
    return None


def shown_label(label: str) -> str:
    """A header label as one line (a label written "办\n结日期" in the file is 办结日期)."""
    return _norm(label)


def fix_text(item: Item, names: dict[str, str] | None = None, label: str | None = None) -> str:
    """What is wrong (codes named, the file's own column label) and how to fix it."""
    hint = FIX_HINTS.get(item.rule, "")
    message = with_names(item.message, names or {})
    if label and item.column_name and shown_label(label) != item.column_name:
        message = message.replace(item.column_name, shown_label(label))
    problem = f"问题：{message}" if message else ""
    return "\n".join(t for t in (problem, f"修改方法：{hint}" if hint else "") if t)


def _write_workbook(path: Path, fb: SubmitterFeedback, data: FeedbackData) -> None:
    """The office's workbook, written beside `path` and renamed over it when complete."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        formats = Formats(book, base={"font_name": FONT, "font_size": 10})
        _write_instructions(ListSheet(book, formats, "说明", [110]), fb, data)
        _write_summary(ListSheet(book, formats, "汇总", SUMMARY_WIDTHS), fb, data)
        if fb.owed:
            _write_owed(ListSheet(book, formats, "未报送自查", OWED_WIDTHS), fb.owed)
        # one sheet per affected source sheet, in the office's own columns
        by_sheet: dict[tuple[str, str, str], list[Item]] = defaultdict(list)
        for item in fb.rows:
            by_sheet[(item.file_path, item.file_sha256 or "", item.sheet or "")].append(item)
        used = {"说明", "汇总"}
        for n, ((file_path, sha, sheet), items) in enumerate(sorted(by_sheet.items()), start=1):
            own = data.columns.get((sha, sheet), [])
            rows = [data.cells.get((sha, sheet, i.row_number or 0), {}) for i in items]
            widths = [6, 6, 40, *_own_widths(own, rows)]
            ls = ListSheet(book, formats, _sheet_title(used, n, sheet), widths)
            _write_source_sheet(ls, file_path, sheet, own, items, data)
        book.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


SUMMARY_HEADERS = [
    "序号",
    "文件",
    "工作表",
    "行号",
    "问题列",
    "填写的值",
    "规则",
    "问题说明及修改方法",
]
SUMMARY_WIDTHS = [5, 30, 12, 6, 12, 16, 6, 60]
OWED_HEADERS = ["序号", "下发单位", "共性问题编号", "问题类别", "自查时限", "单位编码", "单位名称"]
OWED_WIDTHS = [6, 16, 20, 22, 12, 14, 40]


def _write_instructions(ls: ListSheet, fb: SubmitterFeedback, data: FeedbackData) -> None:
    """说明: what the list is, its counts, how to resubmit and the rules it names."""
    who = f"{fb.name}（{fb.code}）" if fb.code != UNRESOLVED else UNRESOLVED
    ls.print_as_list(0)
    text = ls.text
    lines = [
        (f"{who}报送数据退回修改清单", ls.title),
        (f"生成时间：{datetime.now().replace(microsecond=0).isoformat(sep=' ')}", text),
        (f"数据截至：{data.as_of or '—'}", text),
        (f"退回的文件：{len(fb.rejected)} 个；未入库、需修改的数据行：{len(fb.rows)} 行", text),
        (f"逾期未报送共性问题对照自查的单位：{len(fb.owed)} 个（见“未报送自查”）", text),
        ("", text),
        *((line, text) for line in HOW_TO),
        ("", text),
        ("本清单涉及的规则：", text),
    ]
    rules = sorted({i.rule for i in fb.rejected + fb.rows} | ({"W4"} if fb.owed else set()))
    lines += [(f"{r}：{rule_title(r)}", text) for r in rules]
    for n, (line, fmt) in enumerate(lines):
        ls.ws.write_string(n, 0, line, fmt)
        ls.fit(n, [(line, 110)], 20 if fmt is ls.title else 14)


def _write_summary(ls: ListSheet, fb: SubmitterFeedback, data: FeedbackData) -> None:
    """汇总: every rejected file and quarantined row, the value to change marked red."""
    ws, widths = ls.ws, SUMMARY_WIDTHS
    ls.header(0, SUMMARY_HEADERS)
    ws.set_row(0, 20)
    ws.freeze_panes(1, 0)
    ls.print_as_list(1)
    r = 1
    for item in fb.rejected:
        fix = fix_text(item, data.names)
        ws.write_number(r, 0, r, ls.plain)
        ws.write_string(r, 1, item.file_path, ls.wrap)
        ws.write_string(r, 2, "（整个文件未入库）", ls.wrap)
        for c in (3, 4, 5):
            ws.write_blank(r, c, None, ls.plain)
        ws.write_string(r, 6, item.rule, ls.plain)
        ws.write_string(r, 7, fix, ls.wrap)
        ls.fit(r, [(item.file_path, widths[1]), (fix, widths[7])])
        r += 1
    for item in fb.rows:
        label = own_label(
            item.column_name, data.columns.get((item.file_sha256 or "", item.sheet or ""), [])
        )
        column = shown_label(label) if label else (item.column_name or "")
        fix = fix_text(item, data.names, label)
        value = "" if item.value is None else str(item.value)
        ws.write_number(r, 0, r, ls.plain)
        ws.write_string(r, 1, item.file_path, ls.wrap)
        ws.write_string(r, 2, item.sheet or "", ls.wrap)
        ws.write_number(r, 3, item.row_number or 0, ls.plain)
        ws.write_string(r, 4, column, ls.wrap)
        ls.mark(r, 5, value, fix)
        ws.write_string(r, 6, item.rule, ls.plain)
        ws.write_string(r, 7, fix, ls.wrap)
        cells = [(item.file_path, widths[1]), (column, widths[4]), (value, widths[5])]
        ls.fit(r, [*cells, (fix, widths[7])])
        r += 1
    ws.autofilter(0, 0, max(r - 1, 1), len(SUMMARY_HEADERS) - 1)


def _own_widths(own: list[str], rows: list[dict[str, str]]) -> list[int]:
    """Each own column as wide as its longest value or header word, within 6–20 characters."""
    widths = []
    for label in own:
        longest = max([display_width(str(r.get(label, ""))) for r in rows] + [4])
        widths.append(max(6, min(20, max(longest, display_width(shown_label(label)) // 2) + 1)))
    return widths


def _write_source_sheet(
    ls: ListSheet, file_path: str, sheet: str, own: list[str], items: list[Item], data: FeedbackData
) -> None:
    """The office's rows as written, its own header labels, each offending cell red with a comment."""
    ws, widths = ls.ws, ls.widths
    ws.write_string(0, 0, f"文件：{file_path}    工作表：{sheet}", ls.title)
    labels = ["行号", "规则", "问题说明及修改方法"] + [shown_label(label) for label in own]
    ls.header(1, labels)
    ls.fit(1, list(zip(labels, widths, strict=True)))
    ws.freeze_panes(2, 3)
    ls.print_as_list(2)
    for k, item in enumerate(sorted(items, key=lambda i: (i.row_number or 0, i.rule))):
        row = 2 + k
        label = own_label(item.column_name, own)
        fix = fix_text(item, data.names, label)
        ws.write_number(row, 0, item.row_number or 0, ls.plain)
        ws.write_string(row, 1, item.rule, ls.plain)
        ws.write_string(row, 2, fix, ls.wrap)
        values = data.cells.get((item.file_sha256 or "", sheet, item.row_number or 0), {})
        targets = {label} if label else _key_labels(item, own)
        cells = [(fix, widths[2])]
        for c, col_label in enumerate(own, start=3):
            value = str(values.get(col_label, ""))
            cells.append((value, widths[c]))
            if col_label in targets:
                ls.mark(row, c, value, fix)
            else:
                ws.write_string(row, c, value, ls.wrap)
        if not targets:  # a whole-row problem: the row number is what is marked
            ls.mark(row, 0, item.row_number or 0, fix)
        ls.fit(row, cells)


def _key_labels(item: Item, own: list[str]) -> set[str]:
    """For a rule on several columns (R3's natural key: 届次、轮次、…), each of them."""
    parts = re.split(r"[、,，/]", re.sub(r"（[^）]*）", "", item.column_name or ""))
    return {label for part in parts if (label := own_label(part.strip(), own))}


def _write_owed(ls: ListSheet, owed: list[Owed]) -> None:
    """未报送自查 (W4): the units of this office's region still owing a self-check."""
    ws = ls.ws
    ws.merge_range(0, 0, 0, 6, "", ls.wrap)
    ws.write_string(0, 0, OWED_HINT, ls.wrap)
    ws.set_row(0, 48)
    ls.header(1, OWED_HEADERS)
    ws.freeze_panes(2, 0)
    ls.print_as_list(2)
    for n, o in enumerate(owed, start=1):
        row = n + 1
        ws.write_number(row, 0, n, ls.plain)
        texts = (o.issuer_name, o.common_problem_code, o.category, str(o.deadline or ""))
        for c, text in enumerate((*texts, o.unit_code, o.unit_name), start=1):
            ws.write_string(row, c, text, ls.wrap)


def write_feedback(home: Home) -> list[Path]:
    """Write this refresh's workbooks and delete every stale one; returns the workbooks written."""
    return write_feedback_with_data(home)[0]


def write_feedback_with_data(home: Home) -> tuple[list[Path], FeedbackData]:
    data = collect(home) if home.warehouse.exists() else FeedbackData(None, {}, {}, {})
    written: list[Path] = []
    for code, fb in sorted(data.submitters.items()):
        if not fb.rejected and not fb.rows and not fb.owed:
            continue
        folder = home.feedback / _safe(code)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / workbook_name(fb)
        _write_workbook(path, fb, data)
        written.append(path)
    keep = {p.resolve() for p in written}
    if home.feedback.exists():
        for old in home.feedback.glob("*/*.xlsx"):
            if old.resolve() not in keep:
                old.unlink(missing_ok=True)
        for folder in home.feedback.iterdir():
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return written, data
