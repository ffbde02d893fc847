-- 共性问题跟踪的分区划汇总（§10 rpt_common_problem_followup）：自查义务按应自查单位所属区划 ×
-- 推送年度汇总（每项义务计入其单位所属区划的统计范围）。读核心事实表（fct_）。
-- SQL 在 macros/region_aggregates.sql，报表 rpt_common_problem_followup 用同一个宏。
{{ common_problem_followup_by_region() }}
