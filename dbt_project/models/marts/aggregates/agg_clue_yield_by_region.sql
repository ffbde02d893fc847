-- 问题线索产出的分区划汇总（口径见 §6 Clue yield comparison）：
-- 被巡察单位管理权限为县管、不含对村（社区）巡察的有效巡视巡察；
-- 按被巡察单位所属区划 × 进驻年度 × 分组（交叉/非交叉）汇总。
-- SQL 在 macros/region_aggregates.sql，报表 rpt_clue_yield 用同一个宏。
{{ clue_yield_by_region() }}
