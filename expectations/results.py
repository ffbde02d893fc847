"""One record per quality check: the `dq_results` table the office reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from contract.rules import catalog


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    rule: str
    status: str  # pass | fail | warn
    failing_count: int
    examples: str

    @property
    def blocking_failure(self) -> bool:
        found = catalog().rules.get(self.rule)
        return self.status == "fail" and found is not None and found.blocking


DQ_SCHEMA = {
    "check_name": pl.Utf8(),
    "rule": pl.Utf8(),
    "rule_level": pl.Utf8(),
    "rule_description": pl.Utf8(),
    "status": pl.Utf8(),
    "failing_count": pl.Int64(),
    "examples": pl.Utf8(),
    "checked_at": pl.Datetime("us"),
}


DQ_COLUMN_COMMENTS = {
    "check_name": "检查名称（dbt: 开头的是 dbt 测试，gx: 开头的是数据期望，其余为程序检查）",
    "rule": "规则编号（规范第 8 节：B1–B4、S1 阻断发布，W1–W3 仅提示）",
    "rule_level": "规则级别：blocking 阻断发布，warning 仅提示",
    "rule_description": "规则的中文说明",
    "status": "检查结果：pass 通过，fail 不通过，warn 提示",
    "failing_count": "不通过（或需提示）的行数或项数",
    "examples": "不通过的示例（最多若干条），通过时为空",
    "checked_at": "检查时间",
}


def write_dq_results(warehouse: Path, checks: list[CheckResult]) -> None:
    now = datetime.now().replace(microsecond=0)
    rows = []
    for c in checks:
        found = catalog().rules.get(c.rule)
        level, description = (found.level, found.title) if found else ("other", "")
        record = asdict(c)
        rows.append(
            {
                "check_name": record["check"],
                "rule": c.rule,
                "rule_level": level,
                "rule_description": description,
                "status": c.status,
                "failing_count": c.failing_count,
                "examples": c.examples,
                "checked_at": now,
            }
        )
    df = (
        pl.DataFrame(rows, schema=DQ_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=DQ_SCHEMA)
    )
    con = duckdb.connect(str(warehouse))
    try:
        con.register("_dq", df.to_arrow())
        con.execute("CREATE OR REPLACE TABLE dq_results AS SELECT * FROM _dq")
        con.execute(
            "COMMENT ON TABLE dq_results IS '质量检查结果：每项检查一行（规则、状态、不通过行数、示例）'"
        )
        for column, comment in DQ_COLUMN_COMMENTS.items():
            con.execute(f"COMMENT ON COLUMN dq_results.{column} IS '{comment}'")
    finally:
        con.close()
