"""Feedback asset: after the quality gate, each office's 退回修改清单 (orchestration.feedback)."""

import dagster as dg

from orchestration.feedback import write_feedback_with_data
from orchestration.resources import XunchaSettings

SUBMITTER_FEEDBACK = dg.AssetKey("submitter_feedback")


@dg.asset(
    key=SUBMITTER_FEEDBACK,
    group_name="quality",
    # Not behind the gate: a blocked refresh (e.g. B4) is exactly when offices need feedback.
    deps=[dg.AssetKey("quarantine"), dg.AssetKey("ingest_files")],
    description=(
        "退回修改清单：每个有被拒收文件或隔离行的报送单位一个工作簿，"
        "位于 HOME/feedback/<区划代码>/；改正后重新报送即自动消失。"
    ),
    kinds={"python", "excel"},
)
def submitter_feedback(settings: XunchaSettings) -> dg.MaterializeResult:
    home = settings.home_paths()
    paths, data = write_feedback_with_data(home)
    offices = {
        code: f"拒收文件 {len(fb.rejected)}，隔离行 {len(fb.rows)}"
        for code, fb in sorted(data.submitters.items())
        if fb.rejected or fb.rows
    }
    rows_by_rule: dict[str, int] = {}
    for fb in data.submitters.values():
        for item in fb.rejected + fb.rows:
            rows_by_rule[item.rule] = rows_by_rule.get(item.rule, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "workbooks": len(paths),
            "rejected_files": sum(len(fb.rejected) for fb in data.submitters.values()),
            "quarantined_rows": sum(len(fb.rows) for fb in data.submitters.values()),
            "items_by_rule": dg.MetadataValue.json(dict(sorted(rows_by_rule.items()))),
            "offices": dg.MetadataValue.json(offices),
            "folder": dg.MetadataValue.path(str(home.feedback)),
        }
    )
