-- “回头看”整改复发的分区划汇总（§10 rpt_recurrence）：按被巡察单位所属区划 × 回头看进驻年度
-- SQL 在 macros/region_aggregates.sql，报表 rpt_recurrence 用同一个宏。
{{ recurrence_by_region() }}
