"""Produce the leader reports from the published warehouse: one entry point for CLI and Dagster.

The reports go to HOME/reports/<as-of>/ so each publication keeps its own
printed record. A report is refused when the last refresh was blocked: a
leader must never mistake last month's figures for this month's. With
`allow_stale` the old figures are printed, with a warning on every page.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from home import Home
from reports import figures
from reports.brief import brief_name, write_brief
from reports.context import RefreshState, ReportContext, stale_notice
from reports.docx_brief import docx_name, write_docx
from reports.workbook import workbook_name, write_workbook

PDF_TIMEOUT_SECONDS = 300


class ReportError(RuntimeError):
    """The reports cannot be produced; the message says why, in Chinese, for the operator."""


class StaleDataError(ReportError):
    """The last refresh was blocked and stale data was not explicitly allowed."""


def build_context(home: Home, con: figures.Con, year: int | None) -> ReportContext:
    """Publication date, province, available years and the stale notice, checked up front."""
    as_of, published_at = figures.publication(con)
    sc = figures.scopes(con)
    years = figures.available_years(con)
    if not years:
        raise ReportError("已发布仓库中没有任何年度的巡视巡察数据，无法生成报表")
    if year is None:
        year = years[-1]
    elif year not in years:
        have = "、".join(str(y) for y in years)
        raise ReportError(f"已发布数据中没有{year}年度的巡视巡察（现有年度：{have}）")
    notice = stale_notice(RefreshState.read(home.state_file), as_of, published_at)
    return ReportContext(
        year=year,
        years=tuple(years),
        as_of=as_of,
        published_at=published_at,
        province_code=sc.province_code,
        province_name=sc.province_name,
        stale_notice=notice,
        publication_id=figures.publication_id(con),
    )


def report_year_for(home: Path, as_of_year: int) -> int | None:
    """The as-of year when the data has it, else the latest year before it (annual ledgers
    arrive early the next year), else None (= latest in the data)."""
    h = Home(Path(home).resolve())
    if not h.published.exists():
        return None
    con = figures.connect(h.published)
    try:
        years = figures.available_years(con)
    finally:
        con.close()
    earlier = [y for y in years if y <= as_of_year]
    return as_of_year if as_of_year in years else (earlier[-1] if earlier else None)


def generate_reports(home: Path, year: int | None, allow_stale: bool) -> list[Path]:
    """Write the workbook and the brief (HTML and Word) for `year` (None = latest year);
    return their paths: [workbook, HTML brief, Word brief]."""
    h = Home(Path(home).resolve())
    if not h.published.exists():
        raise ReportError(f"尚未发布数据（找不到 {h.published}），请先运行 xuncha refresh")
    con = figures.connect(h.published)
    try:
        ctx = build_context(h, con, year)
        if ctx.stale_notice and not allow_stale:
            raise StaleDataError(
                f"{ctx.stale_notice}。如确需使用上次发布的数据出表，请加 --allow-stale"
            )
        out = h.reports / ctx.as_of.isoformat()
        out.mkdir(parents=True, exist_ok=True)
        xlsx = write_workbook(out / workbook_name(ctx.year), con, ctx)
        # xlsxwriter's workbook and sheets refer to each other: their cells (2.1M at scale 10)
        # are freed only by a full collection, which the briefs would otherwise grow on top of
        gc.collect()
        html = write_brief(out / brief_name(ctx.year), con, ctx)
        docx = write_docx(out / docx_name(ctx.year), con, ctx)
    finally:
        con.close()
    return [xlsx, html, docx]


def office_binary() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def convert_to_pdf(xlsx: Path) -> Path:
    """Convert with headless LibreOffice into the same folder; its print setup (A4 landscape,
    one page wide) comes from the workbook itself."""
    binary = office_binary()
    if binary is None:
        raise ReportError(
            "找不到 LibreOffice（libreoffice/soffice），无法转换为 PDF；"
            "请安装，例如 apt-get install -y --no-install-recommends libreoffice-calc"
        )
    pdf = xlsx.with_suffix(".pdf")
    pdf.unlink(missing_ok=True)
    # A private profile: concurrent or root-owned LibreOffice profiles make conversion fail.
    with tempfile.TemporaryDirectory(prefix="xuncha-lo-") as profile:
        cmd = [
            binary,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(xlsx.parent),
            str(xlsx),
        ]
        env = os.environ | {"HOME": profile}
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, env=env, check=False
        )
    if done.returncode != 0 or not pdf.exists():
        raise ReportError(f"LibreOffice 转换 PDF 失败：{(done.stderr or done.stdout).strip()}")
    return pdf
