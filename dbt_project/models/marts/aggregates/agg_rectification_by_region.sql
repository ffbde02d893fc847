-- 问题整改的分区划汇总（口径见 §6 Rectification）：全部有效巡视巡察的有效问题，
-- 按被巡察单位所属区划 × 进驻年度汇总；逾期按 var('as_of') 判断。
-- SQL 在 macros/region_aggregates.sql，报表 rpt_rectification 用同一个宏。
{{ rectification_by_region() }}
