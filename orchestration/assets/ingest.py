"""Ingest assets: the inbox becomes the raw layer of the work warehouse.

One run of the ingest stage writes every raw table at once (they must agree
with each other), so it is one multi-asset with one asset per raw table;
the keys match the dbt source `raw`.
"""

import dagster as dg

from ingest.pipeline import run_ingest
from ingest.registry import registry
from orchestration.progress import parse_progress_callback
from orchestration.resources import WriterLock, XunchaSettings

BOOKKEEPING_TABLES = ("raw_ingest_files", "raw_quarantine", "raw_rows", "raw_refresh")
BOOKKEEPING_DESCRIPTIONS = {
    "raw_ingest_files": "原始层 收件箱文件清单：每个报送文件一行（模板、填报单位、状态、拒收规则与原因、入库与隔离行数）",
    "raw_quarantine": "原始层 隔离行：未入库的行及原因（文件、工作表、Excel 行号、列、规则 R1–R3、中文说明）",
    "raw_rows": "原始层 原样单元格：每个数据行按文件自己的表头保存的原始文本，供追溯与反馈",
    "raw_refresh": "原始层 刷新记录：本次入库的截至日期、收件箱与时间",
}


def raw_table_names() -> list[str]:
    return [t.table for t in registry().templates.values()] + list(BOOKKEEPING_TABLES)


def raw_table_description(table: str) -> str:
    """Each raw table says which template it holds (T1 巡视巡察安排表 …), not one shared text."""
    for template in registry().templates.values():
        if template.table == table:
            return (
                f"原始层 {template.code} {template.title}：收件箱中该模板的报送行，"
                "按规范列名与类型入库（含来源文件、工作表、Excel 行号）"
            )
    return BOOKKEEPING_DESCRIPTIONS[table]


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


RAW_LAYER = raw_key("raw_ingest_files")


@dg.multi_asset(
    name="raw_layer",
    group_name="ingest",
    specs=[
        dg.AssetSpec(
            raw_key(name),
            description=raw_table_description(name),
            kinds={"python", "duckdb"},
        )
        for name in raw_table_names()
    ],
)
def raw_layer(context: dg.AssetExecutionContext, settings: XunchaSettings, writer: WriterLock):
    del writer  # held for the whole run (orchestration/resources.py)
    home = settings.home_paths()
    home.ensure()
    summary = run_ingest(
        settings.inbox_path(),
        home.root,
        settings.as_of_date(),
        progress=parse_progress_callback(),  # the bar of a watching `xuncha refresh`
    )
    context.log.info(
        "ingest: %s files, %s rows loaded, %s rows quarantined",
        dict(summary.files),
        summary.rows_loaded,
        summary.rows_quarantined,
    )
    for name in raw_table_names():
        metadata = summary.as_metadata() if name == "raw_ingest_files" else {}
        yield dg.MaterializeResult(asset_key=raw_key(name), metadata=metadata)
