-- 问题（T2 当前行）按 §6 跨层级关联到巡视巡察（macros/ledger_join.sql，与线索共用）：
-- 找不到有效巡视巡察的为孤立问题（R5）；完成日期早于进驻日期的为 R6。
{{ ledger_joined_to_inspections(
    ledger=ref('stg_raw__problems'),
    orphan_label='问题',
    r6_date='completed_date',
    r6_date_label='完成日期',
    r6_reference='entry_date',
    r6_reference_label='该次巡视巡察的进驻日期'
) }}
