-- 共性问题跟踪的分区划汇总（§10 rpt_common_problem_followup）：自查义务按应自查单位所属区划 ×
-- 推送年度汇总（每项义务计入其单位所属区划的统计范围）。读核心事实表（fct_）。
with

obligations as (
    select * from {{ ref('fct_common_problem_obligation') }}
),

aggregated as (
    select
        unit_region_code as region_code,
        push_year,
        count(*) as units_in_scope,
        count(*) filter (where is_answered) as units_reported,
        count(*) filter (where is_answered_on_time) as units_reported_on_time,
        count(*) filter (where is_overdue_unanswered) as units_overdue,
        count(*) filter (where has_similar) as units_with_problem,
        sum(coalesce(problems_found, 0)) as problems_found,
        sum(coalesce(measures, 0)) as measures,
        sum(coalesce(completed, 0)) as completed,
        sum(coalesce(institutions, 0)) as institutions,
        sum(coalesce(cases, 0)) as cases
    from obligations
    group by unit_region_code, push_year
)

select * from aggregated
