"""One record per quality check: the `dq_results` table the office reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.rules import RULES


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    rule: str
    status: str  # pass | fail | warn
    failing_count: int
    examples: str

    @property
    def blocking_failure(self) -> bool:
        return self.status == "fail" and RULES.get(self.rule, ("",))[0] == "blocking"


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


def write_dq_results(warehouse: Path, checks: list[CheckResult]) -> None:
    now = datetime.now().replace(microsecond=0)
    rows = []
    for c in checks:
        level, description = RULES.get(c.rule, ("other", ""))
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
    finally:
        con.close()
