"""Issue 16, the clerk's and the leader's side: the feedback workbook a clerk can act on,
the leader's workbook and brief that print, and the Word brief — rendered through
LibreOffice and Chromium where they are installed (skipped, saying why, where not)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from ingest.readers import FileRejected, read_file
from ingest.registry import registry
from tests.conftest import RefreshRun

SHIDU = "390121"  # 石渡县: R1, R2, R3, R5, R6 rows and a rejected file
LIUXI = "390122"  # 柳溪县: an R2 on the choice column 反映对象管理层级
FENGCHUAN = "390200"  # 枫川市: F1 "File is not a zip file"
RED = "FFC7CE"
ENGLISH = re.compile(r"[A-Za-z]{4,}")


def _workbook(run: RefreshRun, code: str) -> openpyxl.Workbook:
    (path,) = sorted((run.home / "feedback" / code).glob("*.xlsx"))
    return openpyxl.load_workbook(path)


def _summary_rows(book: openpyxl.Workbook) -> list[dict]:
    sheet = book["汇总"]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]


def _text(book: openpyxl.Workbook) -> str:
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


# --- the clerk's feedback workbook ----------------------------------------------------


def test_every_quarantined_row_has_a_red_cell_with_a_comment(acceptance_run: RefreshRun) -> None:
    book = _workbook(acceptance_run, SHIDU)
    tabs = [ws for ws in book.worksheets if ws.title not in ("说明", "汇总", "未报送自查")]
    assert tabs
    for ws in tabs:
        for row in ws.iter_rows(min_row=3):
            red = [c for c in row if (c.fill.fgColor.rgb or "").endswith(RED)]
            assert red, f"{ws.title} row {row[0].row}: nothing red"
            assert all(c.comment and "问题" in c.comment.text for c in red)
    for entry in _summary_rows(book):
        value = entry["填写的值"]
        if entry["行号"].value:
            assert (value.fill.fgColor.rgb or "").endswith(RED) and value.comment


def test_columns_use_the_clerks_own_header_labels(acceptance_run: RefreshRun) -> None:
    """石渡县's 整改台账 says 被巡视单位 where the standard says 被巡察单位."""
    book = _workbook(acceptance_run, SHIDU)
    r5 = [e for e in _summary_rows(book) if e["规则"].value == "R5"]
    assert r5 and {e["问题列"].value for e in r5} == {"被巡视单位"}
    for ws in book.worksheets[2:]:
        labels = [c.value for c in ws[2]]
        assert all("\n" not in str(v) for v in labels), labels  # "办\n结日期" shown whole
        assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 14


def test_codes_in_messages_carry_their_names(acceptance_run: RefreshRun) -> None:
    book = _workbook(acceptance_run, SHIDU)
    r5 = next(e for e in _summary_rows(book) if e["规则"].value == "R5")
    text = r5["问题说明及修改方法"].value
    assert re.search(r"390100（[^）]+）", text), text  # the organiser's region, named
    assert re.search(r"390121009（[^）]+）", text), text  # the unit, named
    assert not re.search(r"（\d{6,9}（", _text(book))  # 名称（代码） is not named twice


def test_library_errors_reach_the_clerk_in_chinese(
    acceptance_run: RefreshRun, tmp_path: Path
) -> None:
    text = _text(_workbook(acceptance_run, FENGCHUAN))
    assert "F1" in text and not ENGLISH.search(text.replace("xlsx", "").replace("Excel", ""))
    fake_xls = tmp_path / "坏的.xls"
    fake_xls.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 24 + b"\xff" * 600)
    with pytest.raises(FileRejected) as caught:
        read_file(fake_xls)
    assert caught.value.rule == "F1"
    assert not ENGLISH.search(str(caught.value).replace("xlsx", "").replace("Excel", "")), str(
        caught.value
    )


def test_choice_errors_list_the_allowed_values(acceptance_run: RefreshRun) -> None:
    book = _workbook(acceptance_run, LIUXI)
    entry = next(e for e in _summary_rows(book) if e["规则"].value == "R2")
    column = next(
        c for t in registry().templates.values() for c in t.columns if c.label == "反映对象管理层级"
    )
    allowed = list(registry().enums[column.enum])
    assert "、".join(allowed) in entry["问题说明及修改方法"].value


def test_f3_message_and_hint_agree(acceptance_run: RefreshRun) -> None:
    (path,) = sorted((acceptance_run.home / "feedback").glob("未确定报送单位/*.xlsx"))
    text = _text(openpyxl.load_workbook(path))
    examples = set(re.findall(r"××[市县区]委巡察办", text))
    assert len(examples) == 1, examples


def test_feedback_prints_a4_landscape_one_page_wide_with_header_rows(
    acceptance_run: RefreshRun,
) -> None:
    book = _workbook(acceptance_run, SHIDU)
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0
        if ws.title != "说明":
            assert ws.print_title_rows, f"{ws.title}: no repeated header rows"


# --- rendering: LibreOffice, Chromium, poppler --------------------------------------------


def _tool(*names: str) -> str:
    for name in names:
        if found := shutil.which(name):
            return found
    pytest.skip(f"{' / '.join(names)} not installed: rendering not tested (.ci/run installs it)")


def _to_pdf(source: Path, out: Path) -> Path:
    office = _tool("soffice", "libreoffice")
    _tool("pdftotext")
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{out}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = out / f"{source.stem}.pdf"
    assert pdf.exists(), proc.stdout + proc.stderr
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _fonts(pdf: Path) -> str:
    _tool("pdffonts")
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def _min_font_size(pdf: Path) -> float:
    """The smallest text height on any page (pdftotext -bbox word boxes), in points."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = [
        float(b) - float(a)
        for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', xhtml)
    ]
    return min(heights) if heights else 0.0


def _report(run: RefreshRun, suffix: str) -> Path:
    (path,) = sorted((run.home / "reports").glob(f"*/*{suffix}"))
    return path


def test_leader_workbook_prints_with_headers_on_every_page(
    acceptance_run: RefreshRun, tmp_path: Path
) -> None:
    pdf = _to_pdf(_report(acceptance_run, ".xlsx"), tmp_path)
    pages = _pages(pdf)
    print(f"leader workbook: {len(pages)} pages")
    assert 5 <= len(pages) <= 40
    for banned in ("published.duckdb", "Mantel", "Greenland", "B3"):
        assert all(banned not in p for p in pages), banned
    by_sheet: dict[str, list[str]] = {}
    for page in pages:
        footer = re.search(r"(\S+)　?\s*第 \d+ 页，共 \d+ 页", page)
        assert footer, page[-300:]
        by_sheet.setdefault(footer.group(1), []).append(page)
    assert "口径说明" in by_sheet
    for sheet, sheet_pages in by_sheet.items():  # line 2 in full on every sheet (was clipped)
        assert "数据截至：2025年3月15日" in sheet_pages[0].replace(" ", ""), sheet
    for sheet, sheet_pages in by_sheet.items():
        if len(sheet_pages) < 2:
            continue
        first_lines = [line.split() for line in sheet_pages[0].splitlines() if line.strip()]
        header_words = {w for line in first_lines[2:5] for w in line}
        for page in sheet_pages[1:]:
            words = set(page.split())
            lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
            own_table = re.match(r"[一二三四五六七八九十]、|（续表|督查清单", lines[0])
            # the long table's header repeats; a page may also start a captioned table of its own
            assert header_words & words or own_table, f"{sheet}: a page without a header"
        # no page holding one or two table rows alone (an orphan) before the footer
        last = [ln for ln in sheet_pages[-1].splitlines() if ln.strip()]
        assert len(last) > 3, f"{sheet}: last page holds only {last}"
    assert "CJK" in _fonts(pdf) or "Song" in _fonts(pdf) or "Noto" in _fonts(pdf)
    assert _min_font_size(pdf) >= 7.5  # 10 pt text not shrunk below ~7 pt (was ~5.7 pt)


def test_feedback_workbook_prints_a4_with_headers(
    acceptance_run: RefreshRun, tmp_path: Path
) -> None:
    (path,) = sorted((acceptance_run.home / "feedback" / SHIDU).glob("*.xlsx"))
    pages = _pages(_to_pdf(path, tmp_path))
    print(f"feedback workbook {path.name}: {len(pages)} pages")
    assert len(pages) <= 12  # was 21 portrait pages for four issues
    assert sum("问题说明及修改方法" in p for p in pages) >= 2
    assert any("办结" in p or "被巡视单位" in p for p in pages)


def test_word_brief_in_official_layout(acceptance_run: RefreshRun, tmp_path: Path) -> None:
    import docx

    path = _report(acceptance_run, ".docx")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    fonts = {
        r._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        for p in document.paragraphs
        for r in p.runs
        if r._element.rPr is not None and r._element.rPr.rFonts is not None
    }
    assert {"仿宋", "黑体"} <= fonts, fonts
    assert "PAGE" in section.footer._element.xml
    html = _report(acceptance_run, ".html").read_text(encoding="utf-8")
    body = "\n".join(p.text for p in document.paragraphs)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    for figure in re.findall(r"<td>([\d,.]+%?)</td>", html)[:30]:
        assert figure in cells, figure  # the same published figures as the HTML brief
    assert "要点" in body and "口径说明" in body
    pdf = _to_pdf(path, tmp_path)
    pages = _pages(pdf)
    print(f"Word brief: {len(pages)} pages")
    assert 1 <= len(pages) <= 8
    assert all(re.search(rf"—\s*{n}\s*—", p) for n, p in enumerate(pages, start=1))
    assert "Fang" in _fonts(pdf) or "CJK" in _fonts(pdf) or "Noto" in _fonts(pdf)


def test_html_brief_prints_through_chromium(acceptance_run: RefreshRun, tmp_path: Path) -> None:
    chromium = _tool("chromium", "chromium-browser", "google-chrome")
    _tool("pdftotext")
    pdf = tmp_path / "brief.pdf"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}",
         "--no-pdf-header-footer", _report(acceptance_run, ".html").as_uri()],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert pdf.exists()
    pages = _pages(pdf)
    print(f"HTML brief: {len(pages)} pages")
    assert 1 <= len(pages) <= 6
    text = "\n".join(pages)
    assert "要点" in text and "Mantel" not in text and "published.duckdb" not in text
    assert re.search(r"\byes\b", _fonts(pdf))  # fonts embedded (Chromium's are Type 3)
