"""The brief as a Word document (.docx) in 公文 layout, beside the HTML one.

Offices send leaders Word documents they edit before sending, so the brief also
comes as `简报_<year>.docx`: A4, 公文 margins (GB/T 9704: top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm), the title in 小标宋 (宋体 bold where that font is
missing), headings in 黑体, body text in 仿宋 三号 (16 pt), tables in 仿宋 with
their header row repeated on every page, and "— 1 —" page numbers in the
footer. Every figure comes from the same functions as the HTML brief
(reports/brief.py), which read the published warehouse only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

from reports import brief
from reports.context import ReportContext, cn_date

TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号
NUMERALS = "一二三四五六七八九十"


def _font(run: Run, name: str, size: Pt, bold: bool = False) -> None:
    """Set a run's Latin and East Asian font (Word uses w:eastAsia for Chinese text)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _paragraph(doc, text: str, font: str, size: Pt, *, bold: bool = False, center: bool = False,
               indent: bool = False):  # type: ignore[no-untyped-def]  # fmt: skip
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28) if size >= BODY_SIZE else Pt(18)
    p.paragraph_format.space_after = Pt(0)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2)
    _font(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    """“— 1 —” centred in the footer, the number a PAGE field Word keeps current."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), TITLE_FALLBACK, Pt(14))
    run = p.add_run()
    _font(run, TITLE_FALLBACK, Pt(14))
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _font(p.add_run(" —"), TITLE_FALLBACK, Pt(14))


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    """Mark a table row as the header Word repeats at the top of every page."""
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)
    cant_split = OxmlElement("w:cantSplit")
    props.append(cant_split)


def _table(doc, headers: list[str], rows: list[tuple[list[str], str]]) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, TABLE_SIZE)
    for cells, kind in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for n, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if n == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(text), BODY_FONT, TABLE_SIZE, bold=kind == "total")


def render_docx(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number_footer(section)

    title = f"{ctx.province_name}巡视巡察工作简报"
    p = _paragraph(doc, title, TITLE_FONT, Pt(22), center=True)
    p.paragraph_format.space_after = Pt(12)
    sub = f"（{ctx.year}年度　数据截至{cn_date(ctx.as_of)}）"
    _paragraph(doc, sub, BODY_FONT, BODY_SIZE, center=True).paragraph_format.space_after = Pt(12)
    if ctx.stale_notice:
        _paragraph(doc, ctx.stale_notice, HEADING_FONT, BODY_SIZE, indent=True)

    sections = [
        ("要点", None),
        (f"{ctx.year}年度总体情况", brief.overview_rows(con, ctx)),
        (f"{ctx.year}年度交叉巡察成效对比", brief.cross_rows(con, ctx)),
    ]
    for n, (heading, table) in enumerate(sections):
        _paragraph(doc, f"{NUMERALS[n]}、{heading}", HEADING_FONT, BODY_SIZE, indent=True)
        if table is None:
            for k, line in enumerate(brief.headlines(con, ctx), start=1):
                _paragraph(doc, f"{k}. {line}", BODY_FONT, BODY_SIZE, indent=True)
            continue
        _table(doc, *table)
    _paragraph(doc, f"{NUMERALS[len(sections)]}、口径说明", HEADING_FONT, BODY_SIZE, indent=True)
    for note in brief.plain_notes(ctx):
        _paragraph(doc, note, BODY_FONT, BODY_SIZE, indent=True)
    return doc


def write_docx(path: Path, con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    render_docx(con, ctx).save(str(tmp))
    tmp.replace(path)
    return path


def docx_name(year: int) -> str:
    return f"简报_{year}.docx"
