"""Formula injection: text a submitter typed stays text in everything we generate.

The seeded workbook (tests/hostile.py) carries `=HYPERLINK("http://x","点我")`,
`+1`, `-1+1` and `@SUM(A1)` as written text cells: in quarantined unit names,
a quarantined 问题类别, a quarantined code, and in loaded 问题描述. After one
real refresh every generated workbook (reports, feedback) is opened with
openpyxl: no cell is a formula, and the payloads that are shown are shown as
the literal string. Every CSV under HOME is checked the same way (a CSV cell
starting with = + - @ must be neutralised with a leading apostrophe).
"""

from __future__ import annotations

import csv

import openpyxl
import pytest

from tests import hostile, outputs

PAYLOADS = hostile.FORMULA_PAYLOADS
DANGEROUS_START = ("=", "+", "-", "@")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("formula")
    inbox = hostile.build_seeded_inbox(root / "inbox")
    home = root / "home"
    proc = outputs.run_refresh(inbox, home)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return home


def _cells(path):
    wb = openpyxl.load_workbook(path)  # not read-only: keeps data_type 'f' for formulas
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield ws.title, cell
    finally:
        wb.close()


def _workbooks(home):
    books = sorted(home.rglob("*.xlsx"))
    return [b for b in books if "cache" not in b.parts and "dagster" not in b.parts]


def test_no_generated_cell_is_a_formula(seeded):
    books = _workbooks(seeded)
    assert any("feedback" in b.parts for b in books), books
    assert any("reports" in b.parts for b in books), books
    formulas = [
        (str(b.relative_to(seeded)), ws, c.coordinate, c.value)
        for b in books
        for ws, c in _cells(b)
        if c.data_type == "f"
    ]
    assert formulas == []


def test_quarantined_payloads_show_as_literal_text_in_the_feedback_workbook(seeded):
    books = [b for b in _workbooks(seeded) if "390121" in b.parts]
    assert books, "no feedback workbook for 石渡县 (390121)"
    seen: dict[str, list] = {p: [] for p in PAYLOADS}
    for book in books:
        for ws, cell in _cells(book):
            for payload in PAYLOADS:
                if isinstance(cell.value, str) and payload in cell.value:
                    seen[payload].append((ws, cell.coordinate, cell.data_type, cell.value))
    # the three quarantined cells: the HYPERLINK and @SUM unit names and the -1+1 category
    for payload in ('=HYPERLINK("http://x","点我")', "@SUM(A1)", "-1+1"):
        exact = [s for s in seen[payload] if s[3] == payload]
        assert exact, (payload, seen[payload])
    for payload, places in seen.items():
        for ws, coord, data_type, _ in places:
            assert data_type == "s", (payload, ws, coord, data_type)


def test_payloads_are_stored_verbatim(seeded):
    con = outputs.connect(seeded / "published.duckdb")
    try:
        quarantined = {r[0] for r in con.execute("SELECT value FROM quarantine").fetchall()}
        described = {
            r[0]
            for r in con.execute(
                "SELECT description FROM fct_problem WHERE starts_with(problem_code, 'FX-')"
            ).fetchall()
        }
    finally:
        con.close()
    assert {'=HYPERLINK("http://x","点我")', "@SUM(A1)", "-1+1"} <= quarantined
    assert set(PAYLOADS) == described


def test_every_csv_output_neutralises_formula_text(seeded):
    bad = []
    for path in sorted(seeded.rglob("*.csv")):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        for row in csv.reader(text.splitlines()):
            for value in row:
                if value.startswith(DANGEROUS_START) and not _is_number(value):
                    bad.append((str(path.relative_to(seeded)), value))
    assert bad == []


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
