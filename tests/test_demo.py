"""The demo province generator writes a readable, plausible inbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
import python_calamine
import yaml

from demo import PROVINCE_CODE, PROVINCE_NAME, generate_demo_inbox
from ingest.parse import parse_file
from ingest.pipeline import run_ingest
from ingest.registry import REGISTRY_PATH, load_registry, registry
from ingest.text import normalize_header


def _norm(cell: object) -> str:
    return "".join(str(cell).split())


def _rows(path: Path) -> dict[str, list[list]]:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    target = tmp_path_factory.mktemp("inbox")
    return target, generate_demo_inbox(target, seed=7)


def test_files_exist(demo: tuple[Path, dict]) -> None:
    target, summary = demo
    files = summary["files"]
    assert summary["files_written"] == len(files) > 20
    for rel in files:
        assert (target / rel).is_file(), rel
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.xlsx")) == sorted(files)
    assert summary["province"] == {"code": PROVINCE_CODE, "name": PROVINCE_NAME}
    assert (target / f"{PROVINCE_NAME}委巡视办").is_dir()
    for tpl in ("R0", "T0", "T6", "T1", "T2", "T3", "T4", "T5", "T7", "T8"):
        assert summary["rows"][tpl] > 0, tpl
    assert 300 <= summary["inspections"] <= 600


def test_reference_workbook(demo: tuple[Path, dict]) -> None:
    target, summary = demo
    (ref,) = [f for f in summary["files"] if "基础数据" in f]
    sheets = _rows(target / ref)
    assert len(sheets) >= 3
    names = {r["name"] for r in summary["regions"]}
    unit_rows = region_rows = 0
    for rows in sheets.values():
        for r in rows:
            cells = [_norm(c) for c in r]
            if any(len(c) == 9 and c.isdigit() and c.startswith("58") for c in cells):
                unit_rows += 1
            elif any(c in names for c in cells) and any(len(c) == 6 and c.isdigit() for c in cells):
                region_rows += 1
    assert unit_rows == summary["rows"]["T0"] == summary["units"]
    assert region_rows == summary["rows"]["R0"] == len(summary["regions"])


def test_ledgers_have_headers_and_rows(demo: tuple[Path, dict]) -> None:
    target, summary = demo
    found = {"T1": 0, "T2": 0, "T3": 0}
    hidden = {(h["file"], h["sheet"]) for h in summary["hidden_sheets"]}
    for rel in summary["files"]:
        for name, rows in _rows(target / rel).items():
            if (rel, name) in hidden:  # a stale copy, not counted in the summary
                continue
            head = {_norm(c) for r in rows[:15] for c in r}
            if head & {"问题编号", "问题编码"}:
                found["T2"] += sum(1 for r in rows for c in r if str(c).strip().startswith("WT58"))
            if head & {"线索编号", "线索编码"}:
                found["T3"] += sum(1 for r in rows for c in r if str(c).strip().startswith("XS58"))
                # the sensitive columns are present in T3
                assert head & {"反映对象", "被反映人", "姓名"}, rel
                assert head & {"反映对象职务", "职务"}, rel
            if head & {"巡察组", "巡视组", "组别", "巡察组名称"}:
                found["T1"] += 1
    assert found["T2"] == summary["rows"]["T2"]
    assert found["T3"] == summary["rows"]["T3"]
    assert found["T1"] >= 13 * 3  # one T1 sheet per office and year


def test_true_ratio_and_deliberate_errors(demo: tuple[Path, dict]) -> None:
    _, summary = demo
    assert 1.5 <= summary["true_ratio"] <= 2.5
    cy = summary["clue_yield"]
    assert cy["交叉"]["inspections"] > 30 and cy["非交叉"]["inspections"] > 100
    assert 1 <= len(summary["t4_mismatches"]) <= 2
    assert 1 <= len(summary["bad_rows"]) <= 5
    for bad in summary["bad_rows"]:
        assert {"file", "sheet", "row_number", "rule"} <= set(bad)
        assert bad["file"] in summary["files"]


def test_deterministic(tmp_path: Path) -> None:
    a = generate_demo_inbox(tmp_path / "a", seed=3, years=(2024,), scale=0.3)
    b = generate_demo_inbox(tmp_path / "b", seed=3, years=(2024,), scale=0.3)
    assert a == b
    assert _rows(tmp_path / "a" / a["files"][1]) == _rows(tmp_path / "b" / b["files"][1])


# --- contract v2 content, through the real ingest -------------------------------------------

INGEST_RULES = ("R1", "R2", "R3")
TABLES = {"T1": "raw_t1_inspection", "T2": "raw_t2_problem", "T3": "raw_t3_clue"}
TABLES |= {"T7": "raw_t7_common_problem", "T8": "raw_t8_self_check"}


@pytest.fixture(scope="module")
def demo_db(
    demo: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory
) -> duckdb.DuckDBPyConnection:
    """The demo inbox through the real ingest (raw layer in a real DuckDB file)."""
    target, _ = demo
    home = tmp_path_factory.mktemp("demo_home")
    run_ingest(target, home, date(2025, 3, 1))
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_every_file_loads(demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]) -> None:
    statuses = demo_db.execute(
        "SELECT status, count(*) FROM raw_ingest_files GROUP BY 1"
    ).fetchall()
    assert statuses == [("loaded", demo[1]["files_written"])]


def test_only_the_deliberate_rows_are_quarantined_at_ingest(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    """Merged cells, repeated header rows and hidden stale sheets cost no row: the R1–R3
    quarantine is exactly the deliberate bad rows (no R2 from a merge, no R3 from a copy)."""
    got = sorted(
        demo_db.execute("SELECT file_path, sheet, row_number, rule FROM raw_quarantine").fetchall()
    )
    want = sorted(
        (b["file"], b["sheet"], b["row_number"], b["rule"])
        for b in demo[1]["bad_rows"]
        if b["rule"] in INGEST_RULES
    )
    assert want and got == want


def test_every_detail_row_is_loaded(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    _, summary = demo
    for tpl, table in TABLES.items():
        (n,) = demo_db.execute(f"SELECT count(*) FROM {table}").fetchone()
        bad = sum(
            1 for b in summary["bad_rows"] if b["template"] == tpl and b["rule"] in INGEST_RULES
        )
        assert n == summary["rows"][tpl] - bad, tpl


def test_common_problems_from_several_offices(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    """T7 from the province, cities and a county; T8 from several offices, most obligations
    answered, some late, some never (§6 v2)."""
    _, summary = demo
    levels = {r["code"]: r["level"] for r in summary["regions"]}
    issuers = {
        r[0] for r in demo_db.execute("SELECT submitter_code FROM raw_t7_common_problem").fetchall()
    }
    assert {levels[c] for c in issuers} == {"省", "市", "县"}
    assert len(issuers) >= 4
    keepers = demo_db.execute(
        "SELECT count(DISTINCT submitter_code), count(*), count(*) FILTER (WHERE issuer_code IS NULL) "
        "FROM raw_t8_self_check WHERE is_current"
    ).fetchone()
    assert keepers[0] >= 5 and keepers[1] == summary["rows"]["T8"] and 0 < keepers[2] < keepers[1]
    cps = summary["common_problems"]
    assert len(cps) == summary["rows"]["T7"]
    obligations = sum(c["obligations"] for c in cps)
    answered = sum(c["answered"] for c in cps)
    assert answered == summary["rows"]["T8"] and 0.7 * obligations < answered < obligations
    assert sum(c["late"] for c in cps) > 0 and sum(c["missing"] for c in cps) > 0
    # T8 rows carry what R5–R8 need: issuer (or the submitter), code, unit, dates and counts
    (nulls,) = demo_db.execute(
        "SELECT count(*) FROM raw_t8_self_check WHERE common_problem_code IS NULL OR unit_code "
        "IS NULL OR has_similar IS NULL OR report_date IS NULL OR problems_found IS NULL "
        "OR completed IS NULL"
    ).fetchone()
    assert nulls == 0


def test_merged_ledgers_load_in_full(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    """Ledgers with 被巡察单位/届次/轮次 (T8: 下发单位/共性问题编号) merged down one unit's
    rows load every row, each with the merged value."""
    target, summary = demo
    merged = summary["merged_sheets"]
    assert {m["template"] for m in merged} == {"T2", "T3", "T8"}
    for m in merged:
        n, units = demo_db.execute(
            f"SELECT count(*), count(unit_code) FROM {TABLES[m['template']]} "
            "WHERE file_path = ? AND sheet = ?",
            [m["file"], m["sheet"]],
        ).fetchone()
        bad = sum(
            1 for b in summary["bad_rows"] if (b["file"], b["sheet"]) == (m["file"], m["sheet"])
        )
        assert n == units == m["rows"] - bad, m
    first = merged[0]
    wb = openpyxl.load_workbook(target / first["file"])
    assert len(wb[first["sheet"]].merged_cells.ranges) >= first["merges"]


def test_hidden_stale_sheets_are_skipped_and_logged(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    target, summary = demo
    hidden = summary["hidden_sheets"]
    assert {h["very_hidden"] for h in hidden} == {False, True}
    for h in hidden:
        wb = openpyxl.load_workbook(target / h["file"])
        assert wb[h["sheet"]].sheet_state == ("veryHidden" if h["very_hidden"] else "hidden")
        parsed = parse_file(target / h["file"])
        assert h["sheet"] not in {s.name for s in parsed.sheets}
        assert any(s.startswith(h["sheet"]) and "隐藏" in s for s in parsed.skipped), parsed.skipped
        (n,) = demo_db.execute(
            "SELECT count(*) FROM raw_t2_problem WHERE file_path = ? AND sheet = ?",
            [h["file"], h["sheet"]],
        ).fetchone()
        assert n == 0


def test_repeated_header_rows_are_neither_loaded_nor_quarantined(
    demo_db: duckdb.DuckDBPyConnection, demo: tuple[Path, dict]
) -> None:
    _, summary = demo
    assert summary["repeated_headers"]
    for h in summary["repeated_headers"]:
        for table in ("raw_quarantine", TABLES[h["template"]]):
            (n,) = demo_db.execute(
                f"SELECT count(*) FROM {table} WHERE file_path = ? AND sheet = ? AND row_number = ?",
                [h["file"], h["sheet"], h["row_number"]],
            ).fetchone()
            assert n == 0, (table, h)


def test_dates_with_a_time_are_written(demo: tuple[Path, dict]) -> None:
    target, summary = demo
    texts = {
        str(c)
        for rel in summary["files"][:40]
        for rows in _rows(target / rel).values()
        for r in rows
        for c in r
    }
    assert any("日 上午" in t or "日 下午" in t or "日 晚上" in t or "日 9点" in t for t in texts)


# --- headers come from the registry -------------------------------------------------------------


def test_every_header_written_is_in_the_registry(demo: tuple[Path, dict]) -> None:
    _, summary = demo
    reg = registry()
    extra = {"序号", "联系电话", "核实情况", "备注"}
    for sheet in summary["headers"]:
        for label in sheet["labels"]:
            key = normalize_header(label)
            if key in {normalize_header(x) for x in extra}:
                continue
            assert sheet["template"] in reg.header_index.get(key, {}), (sheet["sheet"], label)


def test_every_registry_header_of_the_ledgers_is_exercised(demo: tuple[Path, dict]) -> None:
    """Across the demo, every label and variant in templates.yml of the office ledgers appears."""
    _, summary = demo
    reg = registry()
    used = {
        (s["template"], normalize_header(label))
        for s in summary["headers"]
        for label in s["labels"]
    }
    for code in ("T1", "T2", "T3", "T4", "T5", "T7", "T8"):
        for col in reg.templates[code].columns:
            for header in col.headers:
                assert (code, normalize_header(header)) in used, (code, header)


def test_variant_added_to_templates_yml_appears_in_the_demo(tmp_path: Path) -> None:
    """A clerk adds a variant to templates.yml: the demo writes it with no second edit."""
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    added = {("T2", "problem_code"): "问题流水号", ("T8", "unit_code"): "自查党组织"}
    for (code, name), variant in added.items():
        (col,) = [c for c in data["templates"][code]["columns"] if c["name"] == name]
        col["variants"] = [*col.get("variants", []), variant]
    path = tmp_path / "templates.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    summary = generate_demo_inbox(
        tmp_path / "inbox", seed=5, years=(2024,), reg=load_registry(path)
    )
    for (code, _), variant in added.items():
        written = [
            s
            for s in summary["headers"]
            if s["template"] == code and variant in {normalize_header(x) for x in s["labels"]}
        ]
        assert written, (code, variant)
        cells = {
            _norm(c)
            for rows in _rows(tmp_path / "inbox" / written[0]["file"]).values()
            for r in rows
            for c in r
        }
        assert variant in cells
    # and without the edit the demo never writes it
    plain = generate_demo_inbox(tmp_path / "plain", seed=5, years=(2024,))
    assert not any(
        normalize_header(x) in added.values() for s in plain["headers"] for x in s["labels"]
    )
