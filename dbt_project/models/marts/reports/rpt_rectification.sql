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
        {{ spine_columns() }},
        {{ counts_as_bigint('bp', ['found', 'completed', 'in_progress', 'not_started', 'long_term', 'overdue']) }},
        cast(bp.completed as double) / nullif(bp.found, 0) as completion_rate
    from spine as sp
    {{ spine_left_join('by_period', 'bp') }}
    order by {{ spine_order() }}
)

select * from final
