"""`xuncha status` and the 退回修改清单 on the acceptance corpus, through the real refresh."""

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import openpyxl
import pytest

from home import Home
from orchestration.cli import main
from tests.outputs import query_rows

ACCEPTANCE = Path("/work/shared/acceptance")
AS_OF = "2025-03-15"
SHIDU = "390121"  # 石渡县: R1, R2, R3, R5, R6 rows and a rejected file
SHIDU_2024 = "石渡县委巡察办/2024年/石渡县2024年度巡察工作数据.xlsx"
SHIDU_2023 = "石渡县委巡察办/2023年/石渡县2023年度巡察工作数据.xlsx"

pytestmark = pytest.mark.skipif(
    not (ACCEPTANCE / "inbox").is_dir(), reason="acceptance corpus not available"
)


def _expected() -> dict:
    return json.loads((ACCEPTANCE / "expected.json").read_text(encoding="utf-8"))


def _refresh(inbox: Path, home: Home) -> int:
    return main(["refresh", "--inbox", str(inbox), "--home", str(home.root), "--as-of", AS_OF])


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory):
    """The acceptance inbox copied to tmp and refreshed once (the real Dagster refresh)."""
    root = tmp_path_factory.mktemp("acceptance")
    inbox, home = root / "inbox", root / "home"
    shutil.copytree(ACCEPTANCE / "inbox", inbox, copy_function=shutil.copyfile)
    for path in (inbox, *inbox.rglob("*")):  # the corpus is read-only; the copy is ours
        path.chmod(0o755 if path.is_dir() else 0o644)
    with pytest.MonkeyPatch.context() as mp:
        # the refresh points DAGSTER_HOME / XUNCHA_HOME at `home`; undo that afterwards
        mp.setenv("DAGSTER_HOME", str(home / "dagster"))
        mp.setenv("XUNCHA_HOME", str(home))
        mp.delenv("XUNCHA_INBOX", raising=False)
        _refresh(inbox, Home(home.resolve()))
        yield inbox, Home(home.resolve())


def _status(capsys: pytest.CaptureFixture[str], home: Home, inbox: Path) -> list[str]:
    capsys.readouterr()
    assert main(["status", "--home", str(home.root), "--inbox", str(inbox)]) == 0
    return capsys.readouterr().out.splitlines()


def _line(lines: list[str], prefix: str) -> str:
    found = [line for line in lines if line.strip().startswith(prefix)]
    assert found, f"no line starting with {prefix!r} in:\n" + "\n".join(lines)
    return found[0]


def _workbook(home: Home, code: str) -> Path | None:
    found = sorted((home.feedback / code).glob("*.xlsx")) if (home.feedback / code).exists() else []
    assert len(found) <= 1
    return found[0] if found else None


def _summary_rows(path: Path) -> list[dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book["汇总"].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(r)]


# --- status ----------------------------------------------------------------------


def test_status_reports_last_refresh_and_outcome(
    refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, home = refreshed
    state = json.loads(home.state_file.read_text(encoding="utf-8"))
    lines = _status(capsys, home, inbox)
    last = _line(lines, "上次刷新：")
    assert state["run_id"] in last
    assert f"数据截至 {AS_OF}" in last
    outcome = _line(lines, "刷新结果：")
    assert ("已发布" in outcome) if state["published"] else ("未发布" in outcome)
    published = _line(lines, "已发布数据截至：")
    if state["published"]:
        assert AS_OF in published
    _line(lines, "未通过的规则")


def test_status_lists_quarantine_by_rule_and_submitter(
    refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, home = refreshed
    expected = _expected()
    lines = _status(capsys, home, inbox)
    total = sum(expected["quarantine_counts"].values())
    assert f"共 {total} 行" in _line(lines, "隔离行")
    by_rule = _line(lines, "按规则：")
    for rule, count in expected["quarantine_counts"].items():
        assert f"{rule} {count}" in by_rule

    submitter_of = {f["path"]: f["submitter_code"] for f in expected["files"]}
    per_office: dict[str, Counter] = {}
    for row in expected["quarantine_rows"]:
        per_office.setdefault(submitter_of[row["file"]], Counter())[row["rule"]] += 1
    shidu = _line(lines, f"{SHIDU} 石渡县：")
    counts = per_office[SHIDU]
    assert f"共 {sum(counts.values())} 行" in shidu
    for rule, n in counts.items():
        assert f"{rule} {n}" in shidu

    rejected = [f for f in expected["files"] if f["status"] == "rejected"]
    assert _line(lines, "拒收文件：") == f"拒收文件：{len(rejected)} 个"
    assert _line(lines, "2025 年尚无报送的区划")


def test_status_shows_files_waiting_in_the_inbox(
    refreshed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inbox, home = refreshed
    assert _line(_status(capsys, home, inbox), "收件箱").endswith("等待刷新的文件：无")

    waiting_inbox = tmp_path / "inbox"
    shutil.copytree(inbox, waiting_inbox)
    new = waiting_inbox / "柳溪县委巡察办" / "2025年巡察安排表.xlsx"
    new.write_bytes(b"new content, not yet refreshed")
    lines = _status(capsys, home, waiting_inbox)
    assert "等待刷新的文件：1 个" in _line(lines, "收件箱")
    assert any(line.strip() == "柳溪县委巡察办/2025年巡察安排表.xlsx" for line in lines)


# --- feedback --------------------------------------------------------------------


def test_feedback_workbook_lists_the_quarantined_rows_with_excel_row_numbers(refreshed) -> None:
    _inbox, home = refreshed
    path = _workbook(home, SHIDU)
    assert path is not None, f"no feedback for {SHIDU}: {list(home.feedback.rglob('*'))}"
    rows = _summary_rows(path)
    listed = {(r["文件"], r["工作表"], r["行号"], r["规则"]) for r in rows if r["行号"]}
    expected = {
        (q["file"], q["sheet"], q["row_number"], q["rule"])
        for q in _expected()["quarantine_rows"]
        if q["file"].startswith("石渡县委巡察办/")
    }
    assert listed == expected
    assert all(r["问题说明及修改方法"] and "修改方法" in r["问题说明及修改方法"] for r in rows)
    rejected = [r for r in rows if not r["行号"]]
    assert [(r["文件"], r["规则"]) for r in rejected] == [
        ("石渡县委巡察办/巡察工作情况说明.xlsx", "F1")
    ]

    # the detail sheet uses the office's own header labels and shows the row as written
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        detail = [ws for ws in book.worksheets if ws.title not in {"说明", "汇总"}]
        cells = [list(ws.iter_rows(values_only=True)) for ws in detail]
    finally:
        book.close()
    sheet_1 = next(c for c in cells if SHIDU_2024 in str(c[0][0]) and "Sheet1" in str(c[0][0]))
    header = list(sheet_1[1])
    assert header[:3] == ["行号", "规则", "问题说明及修改方法"]
    assert "巡察对象" in header  # the office's label, not the canonical 被巡察单位
    r22 = next(r for r in sheet_1[2:] if r[0] == 22)
    assert r22[header.index("巡察对象")] == "石渡县苇洲多"


def test_feedback_goes_to_every_office_with_problems_and_no_other(refreshed) -> None:
    _inbox, home = refreshed
    expected = _expected()
    offices = {f["submitter_code"] for f in expected["files"] if f["rows_quarantined"]}
    folders = {p.parent.name for p in home.feedback.glob("*/*.xlsx")}
    assert offices <= folders
    assert "390000" not in folders  # the province has nothing to fix
    # rejected files without a submitter code are filed under the office of their folder
    assert _workbook(home, "390200") is not None  # 枫川市委巡察办/…（补报）.xlsx, F1
    unresolved = _workbook(home, "未确定报送单位")
    assert unresolved is not None
    assert [r["文件"] for r in _summary_rows(unresolved)] == ["巡察问题线索汇总.xlsx"]


def _header_columns(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Normalised header label → column index, from the first 15 rows."""
    found: dict[str, int] = {}
    for row in ws.iter_rows(min_row=1, max_row=15):
        for cell in row:
            if isinstance(cell.value, str):
                found.setdefault(re.sub(r"\s+", "", cell.value), cell.column)
    return found


def _correct_shidu_2024(path: Path) -> None:
    """What the office would do with its 退回修改清单: fix each listed cell, drop the orphan."""
    book = openpyxl.load_workbook(path)
    fixes = {
        ("Sheet1", 9): {"反馈日期": "2024-08-23"},  # R6: was before 进驻日期 2024-07-12
        ("Sheet1", 22): {"巡察对象": "石渡县苇洲乡"},  # R1: typo in the unit name
        ("整改台账", 47): {"整改状态": "整改中"},  # R2: "见附件" is not a status
        ("表3", 36): {"立案日期": "2024-11-20"},  # R6: was before 移交日期 2024-11-07
    }
    for (sheet, row), values in fixes.items():
        ws = book[sheet]
        columns = _header_columns(ws)
        for label, value in values.items():
            ws.cell(row=row, column=columns[label]).value = value
    ws = book["整改台账"]  # R5: the problem belongs to no inspection; the office withdraws it
    for cell in ws[73]:
        cell.value = None
    book.save(path)


def test_resubmitting_the_corrected_file_clears_its_rows(refreshed) -> None:
    inbox, home = refreshed
    before = _workbook(home, SHIDU)
    assert before is not None
    assert any(r["文件"] == SHIDU_2024 for r in _summary_rows(before))

    _correct_shidu_2024(inbox / SHIDU_2024)
    _refresh(inbox, home)
    files = {
        row["file_path"]: row
        for row in _ingest_files(home)
        if row["file_path"].startswith("石渡县委巡察办/")
    }
    assert files[SHIDU_2024]["rows_quarantined"] == 0

    after = _workbook(home, SHIDU)
    assert after is not None  # the 2023 duplicates and the unreadable file are still there
    rows = _summary_rows(after)
    assert not [r for r in rows if r["文件"] == SHIDU_2024]
    assert {r["文件"] for r in rows} == {SHIDU_2023, "石渡县委巡察办/巡察工作情况说明.xlsx"}


def test_an_office_with_nothing_left_gets_no_workbook(refreshed) -> None:
    inbox, home = refreshed
    assert _workbook(home, "390102") is not None  # 芦汀区: one R1 row, 表3 row 8
    path = inbox / "芦汀区委巡察办" / "2023年" / "芦汀区2023年度巡察工作数据.xlsx"
    book = openpyxl.load_workbook(path)
    for cell in book["表3"][8]:  # the office withdraws the clue of an unknown organiser
        cell.value = None
    book.save(path)
    _refresh(inbox, home)
    assert _workbook(home, "390102") is None
    assert not (home.feedback / "390102").exists()
    assert _workbook(home, SHIDU) is not None  # the others are untouched


def _ingest_files(home: Home) -> list[dict]:
    return query_rows(home.warehouse, "SELECT * FROM ingest_files")


# --- contract v2: T8 rows (R5–R8) and the W4 list of self-checks still owed ------------------


def _sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book[sheet].iter_rows(values_only=True)) if sheet in book.sheetnames else []
    finally:
        book.close()


def test_v2_feedback_lists_every_quarantined_row_and_the_self_checks_owed(
    acceptance_v2_run, expected_v2: dict
) -> None:
    """Every quarantined row of the v2 corpus (R1–R8, T8 self-check rows included) is in its
    submitter's 汇总; every unanswered obligation after 自查时限 (W4) is in the 未报送自查 sheet
    of the office of the unit's region (the office that keeps the unit's T8), and nowhere else."""
    assert acceptance_v2_run.returncode == 0, acceptance_v2_run.stderr[-2000:]
    home = Home(acceptance_v2_run.home.resolve())
    submitter_of = {f["path"]: f["submitter_code"] for f in expected_v2["files"]}
    wanted: dict[str, set[tuple]] = {}
    for row in expected_v2["quarantine_rows"]:
        key = (row["file"], row["sheet"], row["row_number"], row["rule"])
        wanted.setdefault(submitter_of[row["file"]], set()).add(key)
    assert {r for rows in wanted.values() for *_, r in rows} >= {"R5", "R6", "R7", "R8"}
    for code, keys in wanted.items():
        path = _workbook(home, code)
        assert path is not None, f"no feedback workbook for {code}"
        listed = {
            (r["文件"], r["工作表"], r["行号"], r["规则"])
            for r in _summary_rows(path)
            if r.get("行号")
        }
        assert keys <= listed, f"{code}: {sorted(keys - listed)}"

    con = duckdb.connect(str(home.published), read_only=True)
    try:
        region_of = dict(con.execute("SELECT unit_code, region_code FROM dim_org").fetchall())
    finally:
        con.close()
    owed: dict[str, set[tuple[str, str]]] = {}
    for w in expected_v2["warnings"]["W4"]:
        office = region_of[w["unit_code"]]
        owed.setdefault(office, set()).add((w["common_problem_code"], w["unit_code"]))
    assert len(owed) > 1  # several offices owe self-checks
    for folder in home.feedback.iterdir():
        path = _workbook(home, folder.name)
        rows = _sheet_rows(path, "未报送自查") if path else []
        got = {(r[2], r[5]) for r in rows[2:] if r and r[0]}
        assert got == owed.get(folder.name, set()), folder.name
    assert all(_workbook(home, office) for office in owed)


def test_in_process_refresh_gives_collection_back(refreshed) -> None:
    """`main(["refresh", …])` pauses the garbage collector while it imports Dagster and dbt;
    an in-process caller gets it back, also from a refresh that stops early (nothing changed)."""
    import gc

    inbox, home = refreshed
    assert gc.isenabled()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home.root / "dagster"))
        mp.setenv("XUNCHA_HOME", str(home.root))
        assert _refresh(inbox, home) == 0
    assert gc.isenabled()
