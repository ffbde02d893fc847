-- 巡视巡察成效的分区划汇总（§10 rpt_outcomes）：全部有效巡视巡察及其有效问题、线索，
-- 按被巡察单位所属区划 × 进驻年度汇总。读核心事实表（fct_），不读 staging。
-- SQL 在 macros/region_aggregates.sql，报表 rpt_outcomes 用同一个宏。
{{ outcomes_by_region() }}
