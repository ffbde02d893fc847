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
        {{ counts_as_bigint('a', [
            'units_in_scope', 'units_reported', 'units_reported_on_time', 'units_overdue',
            'units_with_problem', 'problems_found', 'measures', 'completed', 'institutions', 'cases'
        ]) }},
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
