-- 问题线索（T3 当前行）按 §6 跨层级关联到巡视巡察（macros/ledger_join.sql，与问题共用）：
-- 找不到有效巡视巡察的为孤立线索（R5）；立案日期早于移交日期的为 R6。
{{ ledger_joined_to_inspections(
    ledger=ref('stg_raw__clues'),
    orphan_label='线索',
    r6_date='case_filed_date',
    r6_date_label='立案日期',
    r6_reference='transfer_date',
    r6_reference_label='移交日期'
) }}
