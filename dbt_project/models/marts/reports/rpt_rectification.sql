-- 问题整改情况（§6 Rectification, §9）：按统计范围 × 期间
with

spine as (
    {{ region_report_spine() }}
),

by_region as (
    {{ rectification_by_region() }}
),

by_period as (
    {{ scope_period_rollup('by_region', ['found', 'completed', 'in_progress', 'not_started', 'long_term', 'overdue']) }}
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
