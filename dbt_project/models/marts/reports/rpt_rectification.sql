-- 问题整改情况（§6 Rectification, §9）：按统计范围 × 期间
with

spine as (
    select * from {{ ref('int_report_spine') }}
),

by_region as (
    select * from {{ ref('int_rectification_by_region') }}
),

scopes as (
    select * from {{ ref('int_region_scopes') }}
),

by_year as (
    select
        s.scope_code,
        cast(b.entry_year as varchar) as period,
        sum(b.found) as found,
        sum(b.completed) as completed,
        sum(b.in_progress) as in_progress,
        sum(b.not_started) as not_started,
        sum(b.long_term) as long_term,
        sum(b.overdue) as overdue
    from by_region as b
    inner join scopes as s on b.region_code = s.region_code
    group by s.scope_code, b.entry_year
),

by_period as (
    select * from by_year
    union all
    select
        scope_code,
        '全部' as period,
        sum(found) as found,
        sum(completed) as completed,
        sum(in_progress) as in_progress,
        sum(not_started) as not_started,
        sum(long_term) as long_term,
        sum(overdue) as overdue
    from by_year
    group by scope_code
),

final as (
    select
        sp.scope_code,
        sp.scope_name,
        sp.period,
        cast(coalesce(bp.found, 0) as bigint) as found,
        cast(coalesce(bp.completed, 0) as bigint) as completed,
        cast(coalesce(bp.in_progress, 0) as bigint) as in_progress,
        cast(coalesce(bp.not_started, 0) as bigint) as not_started,
        cast(coalesce(bp.long_term, 0) as bigint) as long_term,
        cast(coalesce(bp.overdue, 0) as bigint) as overdue,
        cast(bp.completed as double) / nullif(bp.found, 0) as completion_rate
    from spine as sp
    left join by_period as bp
        on
            sp.scope_code = bp.scope_code
            and sp.period = bp.period
    order by sp.scope_level desc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
