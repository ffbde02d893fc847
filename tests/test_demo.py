"""The demo province generator writes a readable, plausible inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import python_calamine

from orchestration.demo import PROVINCE_CODE, PROVINCE_NAME, generate_demo_inbox


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
    for tpl in ("R0", "T0", "T6", "T1", "T2", "T3", "T4", "T5"):
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
    for rel in summary["files"]:
        for rows in _rows(target / rel).values():
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
