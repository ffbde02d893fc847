-- 共性问题跟踪（§10 rpt_common_problems）：每个现行共性问题（T7）一行，
-- 汇总其自查义务（§6）的回应情况和自查成果。
with

common_problems as (
    select * from {{ ref('fct_common_problem') }}
),

obligations as (
    select * from {{ ref('fct_common_problem_obligation') }}
),

aggregated as (
    select
        issuer_code,
        common_problem_code,
        {{ obligation_counts() }}
    from obligations
    group by issuer_code, common_problem_code
),

final as (
    select
        cp.issuer_code,
        cp.issuer_name,
        cp.common_problem_code,
        cp.term,
        cp.round,
        cp.problem_category as category,
        cp.push_date,
        cp.deadline,
        cast(coalesce(a.units_in_scope, 0) as bigint) as units_in_scope,
        cast(coalesce(a.units_reported, 0) as bigint) as units_reported,
        cast(coalesce(a.units_reported_on_time, 0) as bigint) as units_reported_on_time,
        cast(coalesce(a.units_overdue, 0) as bigint) as units_overdue,
        cast(coalesce(a.units_with_problem, 0) as bigint) as units_with_problem,
        cast(coalesce(a.problems_found, 0) as bigint) as problems_found,
        cast(coalesce(a.measures, 0) as bigint) as measures,
        cast(coalesce(a.completed, 0) as bigint) as completed,
        cast(coalesce(a.institutions, 0) as bigint) as institutions,
        cast(coalesce(a.cases, 0) as bigint) as cases,
        cast(a.units_reported as double) / nullif(a.units_in_scope, 0) as coverage_rate,
        cast(a.completed as double) / nullif(a.problems_found, 0) as completion_rate
    from common_problems as cp
    left join aggregated as a
        on
            cp.issuer_code = a.issuer_code
            and cp.common_problem_code = a.common_problem_code
    order by cp.issuer_code, cp.common_problem_code
)

select * from final
