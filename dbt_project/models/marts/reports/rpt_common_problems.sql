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
        {{ obligation_columns('a') }}
    from common_problems as cp
    left join aggregated as a
        on
            cp.issuer_code = a.issuer_code
            and cp.common_problem_code = a.common_problem_code
    order by cp.issuer_code, cp.common_problem_code
)

select * from final
