"""Headline figures read back from the published warehouse (what `make run` shows)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def headline_sentences(published: Path) -> list[str]:
    """The two sentences a leader reads first, for the whole province and all years."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        province = con.execute(
            "SELECT region_code, region_name FROM dim_region WHERE region_level = '省' LIMIT 1"
        ).fetchall()
        if not province:
            return ["已发布仓库中没有省级区划（R0 未报送）"]
        code, name = province[0]
        lines: list[str] = []
        ratio = con.execute(
            "SELECT ratio_clues, ratio_clues_ci_low, ratio_clues_ci_high FROM rpt_clue_yield_ratio "
            "WHERE scope_code = ? AND period = '全部'",
            [code],
        ).fetchall()
        if ratio and ratio[0][0] is not None:
            r, lo, hi = ratio[0]
            lines.append(
                f"{name}交叉巡察平均移交问题线索数是非交叉方式的{r:.1f}倍"
                f"（95%置信区间{lo:.1f}–{hi:.1f}）"
            )
        else:
            lines.append(f"{name}交叉巡察与非交叉巡察的线索数不足以计算比值")
        rect = con.execute(
            "SELECT found, completed, completion_rate FROM rpt_rectification "
            "WHERE scope_code = ? AND period = '全部'",
            [code],
        ).fetchall()
        if rect:
            found, completed, rate = rect[0]
            lines.append(
                f"共发现问题{found}个，完成整改{completed}个，完成率{(rate or 0) * 100:.1f}%"
            )
        return lines
    finally:
        con.close()


def print_headlines(published: Path) -> None:
    for line in headline_sentences(published):
        print(line)
