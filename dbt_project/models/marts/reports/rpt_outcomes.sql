-- 巡视巡察成效（§10 rpt_outcomes）：按统计范围 × 期间（进驻日期所在年度）
with

spine as (
    {{ region_report_spine() }}
),

by_region as (
    {{ outcomes_by_region() }}
),

by_period as (
    {{ scope_period_rollup('by_region', [
        'inspections', 'problems_found', 'immediate', 'immediate_completed', 'immediate_livelihood',
        'common_flagged', 'recovered_loss_10k', 'institutions', 'clues', 'cases_filed', 'punished'
    ]) }}
),

final as (
    select
        {{ spine_columns() }},
        {{ counts_as_bigint('bp', [
            'inspections', 'problems_found', 'immediate', 'immediate_completed', 'immediate_livelihood',
            'common_flagged'
        ]) }},
        cast(coalesce(bp.recovered_loss_10k, 0) as double) as recovered_loss_10k,
        {{ counts_as_bigint('bp', ['institutions', 'clues', 'cases_filed', 'punished']) }}
    from spine as sp
    {{ spine_left_join('by_period', 'bp') }}
    order by {{ spine_order() }}
)

select * from final
