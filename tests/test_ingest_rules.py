"""Ingest rules R1–R3 and F1–F4, resubmission and unchanged files, on files the tests build."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.builders import (
    COUNTY,
    ingest,
    raw_files,
    registry_file,
    t1_rows,
    write_csv,
    write_xls,
    write_xlsx,
)

T2_HEADER = ["问题编号", "届次", "轮次", "被巡察单位", "问题类别", "整改状态", "整改时限"]


def files(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return raw_files(con, "status, rule, submitter_code, rows_loaded, rows_quarantined, message")


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT file_path, sheet, row_number, rule, column_name, value, message "
        "FROM raw_quarantine ORDER BY file_path, row_number"
    ).fetchall()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    registry_file(box)
    return box


def t2(*rows: list[object]) -> list[list[object]]:
    return [["乙县发现问题及整改台账"], ["填报单位：乙县委巡察办"], T2_HEADER, *rows]


def write_t2(inbox: Path, *rows: list[object]) -> Path:
    """乙县委巡察办's ledger 台账.xlsx with one T2 sheet of these rows."""
    return write_xlsx(inbox / "乙县委巡察办" / "台账.xlsx", {"表2": t2(*rows)})


def test_good_rows_load_with_lineage(inbox: Path, tmp_path: Path) -> None:
    write_t2(
        inbox,
        ["WT001", "第16届", "一轮", "乙县财政", "作风建设", "已整改", "2024年3月"],
        ["合计", "", "", "", "", "", ""],
        ["WT002", "十六", 1, "中共乙县教育局党组", "其他", "推进中", ""],
        ["注：本表按规范填报", "", "", "", "", "", ""],
        ["WT003", 16, 1, "乙县教育局", "其他", "完成", ""],
    )
    con = ingest(inbox, tmp_path / "home")
    rows = con.execute(
        "SELECT problem_code, term, round, unit_code, status, deadline, sheet, row_number, "
        "submitter_code, is_current FROM raw_t2_problem ORDER BY problem_code"
    ).fetchall()
    assert rows == [
        ("WT001", 16, 1, "990101001", "已完成", date(2024, 3, 31), "表2", 4, COUNTY, True),
        ("WT002", 16, 1, "990101002", "整改中", None, "表2", 6, COUNTY, True),
    ]
    assert quarantine(con) == []
    (raw_count,) = con.execute("SELECT count(*) FROM raw_rows WHERE template = 'T2'").fetchall()[0]
    assert raw_count == 2


def test_r1_unknown_unit_names_closest_registry_units(inbox: Path, tmp_path: Path) -> None:
    write_t2(
        inbox,
        ["WT001", 16, 1, "乙县财政厅", "其他", "完成", ""],
        ["WT002", 16, 1, "990101001", "其他", "完成", ""],
    )
    con = ingest(inbox, tmp_path / "home")
    [q] = quarantine(con)
    assert q[:6] == ("乙县委巡察办/台账.xlsx", "表2", 4, "R1", "被巡察单位", "乙县财政厅")
    assert "乙县财政局" in q[6]
    assert files(con)["乙县委巡察办/台账.xlsx"][:5] == ("loaded", None, COUNTY, 1, 1)


def test_r1_unknown_office_reference(inbox: Path, tmp_path: Path) -> None:
    header = ["问题编号", "组织单位", "届次", "轮次", "被巡察单位", "问题类别", "整改状态"]
    write_xlsx(
        inbox / "乙县委巡察办" / "台账.xlsx",
        {"表2": [header, ["WT001", "青峰市委巡察办", 16, 1, "990101001", "其他", "完成"]]},
    )
    con = ingest(inbox, tmp_path / "home")
    [q] = quarantine(con)
    assert (q[3], q[4], q[5]) == ("R1", "组织单位", "青峰市委巡察办")


def test_r1_comes_before_r2(inbox: Path, tmp_path: Path) -> None:
    write_t2(inbox, ["WT001", "第x届", 1, "不存在的单位", "其他", "完成", ""])
    [q] = quarantine(ingest(inbox, tmp_path / "home"))
    assert q[3] == "R1"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["WT001", 16, 1, "990101001", "其他", "", ""], "整改状态"),
        (["WT001", 16, "", "990101001", "其他", "完成", ""], "轮次"),
        (["WT001", 16, 1, "990101001", "其他", "见附件", ""], "整改状态"),
        (["WT001", 16, 1, "990101001", "其他", "完成", "2023年13月"], "整改时限"),
    ],
)
def test_r2_missing_or_unparseable(inbox: Path, tmp_path: Path, row: list, column: str) -> None:
    write_t2(inbox, row)
    [q] = quarantine(ingest(inbox, tmp_path / "home"))
    assert (q[3], q[4]) == ("R2", column)
    assert q[6]


def test_r3_duplicate_key_quarantines_every_copy(inbox: Path, tmp_path: Path) -> None:
    write_t2(
        inbox,
        ["WT001", 16, 1, "990101001", "其他", "完成", ""],
        ["WT002", 16, 1, "990101001", "其他", "完成", ""],
        ["WT001", 16, 2, "990101002", "其他", "完成", ""],
    )
    con = ingest(inbox, tmp_path / "home")
    assert [(q[2], q[3]) for q in quarantine(con)] == [(4, "R3"), (6, "R3")]
    assert con.execute("SELECT problem_code FROM raw_t2_problem").fetchall() == [("WT002",)]


def test_r3_t1_key_uses_resolved_unit(inbox: Path, tmp_path: Path) -> None:
    write_xlsx(
        inbox / "乙县委巡察办" / "安排.xlsx",
        {
            "表1": t1_rows(
                [16, 1, "一组", "乙县财政局", "常规", "", "2024-03-01", "2024-05-01"],
                [16, 1, "二组", "990101001", "常规", "", "2024-03-02", "2024-05-02"],
            )
        },
    )
    assert [q[3] for q in quarantine(ingest(inbox, tmp_path / "home"))] == ["R3", "R3"]


def test_f1_corrupt_and_empty_files(inbox: Path, tmp_path: Path) -> None:
    good = write_xlsx(
        inbox / "乙县委巡察办" / "台账.xlsx",
        {"表2": t2(["WT001", 16, 1, "990101001", "其他", "完成", ""])},
    )
    (inbox / "乙县委巡察办" / "损坏.xlsx").write_bytes(good.read_bytes()[:300])
    (inbox / "乙县委巡察办" / "空.xlsx").write_bytes(b"")
    (inbox / "乙县委巡察办" / "说明.xlsx").write_text("这不是表格", encoding="utf-8")
    result = files(ingest(inbox, tmp_path / "home"))
    for name in ("损坏.xlsx", "空.xlsx", "说明.xlsx"):
        status, rule, submitter, *_rest, message = result[f"乙县委巡察办/{name}"]
        assert (status, rule, submitter) == ("rejected", "F1", None)
        assert message
    assert result["乙县委巡察办/台账.xlsx"][:4] == ("loaded", None, COUNTY, 1)


def test_f2_names_closest_template_and_missing_columns(inbox: Path, tmp_path: Path) -> None:
    write_xlsx(
        inbox / "乙县委巡察办" / "补充.xlsx",
        {
            "问题": [
                ["问题编号", "届次", "轮次", "被巡察单位", "问题类别"],
                ["WT1", 16, 1, "990101001", "其他"],
            ]
        },
    )
    status, rule, _s, _l, _q, message = files(ingest(inbox, tmp_path / "home"))[
        "乙县委巡察办/补充.xlsx"
    ]
    assert (status, rule) == ("rejected", "F2")
    assert "T2" in message and "整改状态" in message


def test_f3_no_submitter(inbox: Path, tmp_path: Path) -> None:
    write_xlsx(
        inbox / "汇总.xlsx", {"表2": [T2_HEADER, ["WT001", 16, 1, "990101001", "其他", "完成", ""]]}
    )
    write_xlsx(
        inbox / "某单位" / "台账.xlsx",
        {"表2": [T2_HEADER, ["WT002", 16, 1, "990101002", "其他", "完成", ""]]},
    )
    result = files(ingest(inbox, tmp_path / "home"))
    assert result["汇总.xlsx"][:2] == ("rejected", "F3")
    assert result["某单位/台账.xlsx"][:2] == ("rejected", "F3")
    assert "填报单位" in result["汇总.xlsx"][-1]


def test_f4_too_many_columns(inbox: Path, tmp_path: Path) -> None:
    wide = [
        [*T2_HEADER, *[f"备用{i}" for i in range(600)]],
        ["WT001", 16, 1, "990101001", "其他", "完成", ""],
    ]
    write_xlsx(inbox / "乙县委巡察办" / "宽表.xlsx", {"表2": wide})
    status, rule, *_rest = files(ingest(inbox, tmp_path / "home"))["乙县委巡察办/宽表.xlsx"]
    assert (status, rule) == ("rejected", "F4")


def test_submitter_from_folder_code_and_metadata_precedence(inbox: Path, tmp_path: Path) -> None:
    row = ["WT001", 16, 1, "990101001", "其他", "完成", ""]
    write_xlsx(inbox / COUNTY / "a.xlsx", {"表2": [T2_HEADER, row]})
    write_xlsx(inbox / "丙县" / "b.xlsx", {"表2": [["填报单位:990101"], T2_HEADER, row]})
    result = files(ingest(inbox, tmp_path / "home"))
    assert result[f"{COUNTY}/a.xlsx"][2] == COUNTY
    assert result["丙县/b.xlsx"][2] == COUNTY


def test_xls_and_csv_readers(inbox: Path, tmp_path: Path) -> None:
    rows = [
        ["填报单位：乙县委巡察办"],
        T2_HEADER,
        ["WT001", "16", "1", "990101001", "其他", "完成", ""],
    ]
    write_xls(inbox / "乙县委巡察办" / "a.xls", {"表2": rows})
    write_csv(
        inbox / "乙县委巡察办" / "b.csv",
        [T2_HEADER, ["WT002", "16", "1", "990101002", "其他", "完成", ""]],
        "utf-8-sig",
    )
    write_csv(
        inbox / "乙县委巡察办" / "c.csv",
        [T2_HEADER, ["WT003", "16", "2", "乙县城关镇", "其他", "完成", ""]],
        "gb18030",
    )
    con = ingest(inbox, tmp_path / "home")
    codes = [
        r[0] for r in con.execute("SELECT problem_code FROM raw_t2_problem ORDER BY 1").fetchall()
    ]
    assert codes == ["WT001", "WT002", "WT003"]


def test_resubmission_replaces_scope_and_marks_superseded(inbox: Path, tmp_path: Path) -> None:
    first = t2(
        ["WT001", 16, 1, "990101001", "其他", "整改中", ""],
        ["WT002", 16, 1, "990101002", "其他", "完成", ""],
        ["WT009", 16, 2, "990101002", "其他", "完成", ""],
    )
    first[1] = ["填报单位：乙县委巡察办　　填报日期：2024年1月10日"]
    second = t2(
        ["WT001", 16, 1, "990101001", "其他", "完成", ""],
        ["WT003", 16, 1, "990101003", "其他", "完成", ""],
    )
    second[1] = ["填报单位：乙县委巡察办　　填报日期：2024年2月10日"]
    write_xlsx(inbox / "乙县委巡察办" / "首报.xlsx", {"表2": first})
    write_xlsx(inbox / "乙县委巡察办" / "更正.xlsx", {"表2": second})
    con = ingest(inbox, tmp_path / "home")
    current = con.execute(
        "SELECT problem_code, status, file_path FROM raw_t2_problem WHERE is_current ORDER BY 1"
    ).fetchall()
    assert current == [
        ("WT001", "已完成", "乙县委巡察办/更正.xlsx"),
        ("WT003", "已完成", "乙县委巡察办/更正.xlsx"),
        ("WT009", "已完成", "乙县委巡察办/首报.xlsx"),
    ]
    history = con.execute("SELECT count(*) FROM raw_t2_problem WHERE NOT is_current").fetchall()[0][
        0
    ]
    assert history == 2
    result = files(con)
    assert result["乙县委巡察办/首报.xlsx"][0] == "loaded"  # round 2 still stands

    only_round_one = t2(["WT001", 16, 1, "990101001", "其他", "整改中", ""])
    only_round_one[1] = ["填报单位：乙县委巡察办　　填报日期：2024年1月10日"]
    write_xlsx(inbox / "乙县委巡察办" / "首报.xlsx", {"表2": only_round_one})
    con.close()
    assert files(ingest(inbox, tmp_path / "home"))["乙县委巡察办/首报.xlsx"][0] == "superseded"


def test_identical_copy_and_rerun_are_unchanged(inbox: Path, tmp_path: Path) -> None:
    src = write_xlsx(
        inbox / "乙县委巡察办" / "a.xlsx",
        {"表2": t2(["WT001", 16, 1, "990101001", "其他", "完成", ""])},
    )
    shutil.copyfile(src, inbox / "乙县委巡察办" / "a（1）.xlsx")
    home = tmp_path / "home"
    con = ingest(inbox, home)
    result = files(con)
    assert result["乙县委巡察办/a.xlsx"][0] == "loaded"
    assert result["乙县委巡察办/a（1）.xlsx"][:3] == ("unchanged", None, COUNTY)
    before = con.execute("SELECT * EXCLUDE (is_current) FROM raw_t2_problem").fetchall()
    con.close()
    con = ingest(inbox, home)
    assert {v[0] for v in files(con).values()} == {"unchanged"}
    assert con.execute("SELECT * EXCLUDE (is_current) FROM raw_t2_problem").fetchall() == before


def test_symlink_is_ignored(inbox: Path, tmp_path: Path) -> None:
    outside = write_xlsx(
        tmp_path / "outside.xlsx", {"表2": t2(["WT001", 16, 1, "990101001", "其他", "完成", ""])}
    )
    (inbox / "乙县委巡察办").mkdir(parents=True)
    os.symlink(outside, inbox / "乙县委巡察办" / "link.xlsx")
    assert "乙县委巡察办/link.xlsx" not in files(ingest(inbox, tmp_path / "home"))


def test_identical_copy_of_rejected_file_carries_its_rule(inbox: Path, tmp_path: Path) -> None:
    """§7 (v2): the copy is `unchanged` with the rule and message of the file it copies; on a
    rerun the rejected file itself is `unchanged` and still says why it was refused."""
    src = write_xlsx(
        inbox / "乙县委巡察办" / "旧版.xlsx", {"表1": [["说明"], ["本表不是任何模板"]]}
    )
    (inbox / "甲市委巡察办" / "转报").mkdir(parents=True)
    shutil.copyfile(src, inbox / "甲市委巡察办" / "转报" / "旧版.xlsx")
    home = tmp_path / "home"
    con = ingest(inbox, home)
    result = files(con)
    status, rule, submitter, _, _, message = result["乙县委巡察办/旧版.xlsx"]
    assert (status, rule, submitter) == ("rejected", "F2", None)
    copy = result["甲市委巡察办/转报/旧版.xlsx"]
    assert copy[:3] == ("unchanged", "F2", None)
    assert "乙县委巡察办/旧版.xlsx" in copy[5] and message in copy[5]
    con.close()
    again = files(ingest(inbox, home))
    assert again["乙县委巡察办/旧版.xlsx"][:3] == ("unchanged", "F2", None)
    assert again["乙县委巡察办/旧版.xlsx"][5] == message
    assert again["甲市委巡察办/转报/旧版.xlsx"][:3] == ("unchanged", "F2", None)


DATE_WITH_TIME = [
    ("WT001", "2024年3月15日 上午9时", date(2024, 3, 15)),
    ("WT002", "2024-03-16 09:30", date(2024, 3, 16)),
    ("WT003", "2024/3/17 9:30:00", date(2024, 3, 17)),
    ("WT004", "2024年3月18日下午3时30分", date(2024, 3, 18)),
    ("WT005", "2024年3月19日 晚上9点", date(2024, 3, 19)),
]


def _t2_with_times_xlsx(path: Path) -> Path:
    """T2 with 完成日期 as text followed by a time, and as datetime cells with a time."""
    import datetime as dt

    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表2")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_row(0, 0, ["填报单位：乙县委巡察办"])
    ws.write_row(1, 0, [*T2_HEADER, "完成日期"])
    rows = [*DATE_WITH_TIME, ("WT006", dt.datetime(2024, 3, 20, 17, 45), date(2024, 3, 20))]
    for r, (code, done, _) in enumerate(rows, 2):
        ws.write_row(r, 0, [code, 16, 1, "990101001", "其他", "已完成", ""])
        if isinstance(done, dt.datetime):
            ws.write_datetime(r, 7, done, stamp)
        else:
            ws.write_string(r, 7, done)
    wb.close()
    return path


def _t2_with_times_xls(path: Path) -> Path:
    import datetime as dt

    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("表2")
    stamp = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    ws.write(0, 0, "填报单位：乙县委巡察办")
    for c, label in enumerate([*T2_HEADER, "完成日期"]):
        ws.write(1, c, label)
    rows = [*DATE_WITH_TIME, ("WT006", dt.datetime(2024, 3, 20, 17, 45), date(2024, 3, 20))]
    for r, (code, done, _) in enumerate(rows, 2):
        for c, v in enumerate([code, 16, 1, "990101001", "其他", "已完成"]):
            ws.write(r, c, v)
        if isinstance(done, dt.datetime):
            ws.write(r, 7, done, stamp)
        else:
            ws.write(r, 7, done)
    wb.save(str(path))
    return path


@pytest.mark.parametrize("build", [_t2_with_times_xlsx, _t2_with_times_xls])
def test_dates_followed_by_a_time_load_as_the_date(inbox: Path, tmp_path: Path, build) -> None:
    """§4 (v2): a date followed by a time, as text or as a datetime cell, is the date."""
    suffix = ".xlsx" if build is _t2_with_times_xlsx else ".xls"
    build(inbox / "乙县委巡察办" / f"台账{suffix}")
    con = ingest(inbox, tmp_path / "home")
    assert quarantine(con) == []
    got = dict(con.execute("SELECT problem_code, completed_date FROM raw_t2_problem").fetchall())
    assert got == {code: day for code, _, day in DATE_WITH_TIME} | {"WT006": date(2024, 3, 20)}
