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
        {{ counts_as_bigint('bp', ['found', 'completed', 'in_progress', 'not_started', 'long_term', 'overdue']) }},
        cast(bp.completed as double) / nullif(bp.found, 0) as completion_rate
    from spine as sp
    left join by_period as bp
        on
            sp.scope_code = bp.scope_code
            and sp.period = bp.period
    order by {{ spine_order() }}
)

select * from final
