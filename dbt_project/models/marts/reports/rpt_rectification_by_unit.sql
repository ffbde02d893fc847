-- 整改督办（§10 rpt_rectification_by_unit）：每个有问题的单位一行，全部年度。
-- 逾期 = 状态不是已完成、整改时限不为空且早于统计截止日期；
-- max_overdue_days = 统计截止日期 − 其逾期问题中最早的整改时限（无逾期为空）。
with

problems as (
    select * from {{ ref('fct_problem') }}
),

units as (
    select * from {{ ref('dim_org') }}
),

aggregated as (
    select
        unit_code,
        {{ problem_status_counts() }},
        count(*) filter (where is_overdue) as overdue,
        min(deadline) filter (where is_overdue) as earliest_overdue_deadline
    from problems
    group by unit_code
),

final as (
    select
        a.unit_code,
        u.unit_name,
        u.region_code,
        -- 单位计入的市级统计范围；省本级单位为省级区划代码
        coalesce(u.city_code, u.province_code) as city_code,
        {{ counts_as_bigint('a', [
            'found', 'completed', 'in_progress', 'not_started', 'long_term', 'overdue'
        ], missing_as_zero=false) }},
        cast(a.completed as double) / nullif(a.found, 0) as completion_rate,
        cast({{ as_of_date() }} - a.earliest_overdue_deadline as bigint) as max_overdue_days
    from aggregated as a
    left join units as u on a.unit_code = u.unit_code
    order by a.overdue desc, completion_rate asc, a.unit_code asc
)

select * from final
