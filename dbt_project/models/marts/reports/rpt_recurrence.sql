-- 巡察“回头看”发现已整改问题复发（§10 rpt_recurrence）：按统计范围 × 期间（回头看进驻日期所在年度）
with

spine as (
    {{ region_report_spine() }}
),

by_region as (
    {{ recurrence_by_region() }}
),

by_period as (
    {{ scope_period_rollup(
        'by_region', ['lookback_inspections', 'with_prior', 'rectified_categories', 'recurred_categories']
    ) }}
),

final as (
    select
        {{ spine_columns() }},
        {{ counts_as_bigint('bp', [
            'lookback_inspections', 'with_prior', 'rectified_categories', 'recurred_categories'
        ]) }},
        cast(bp.recurred_categories as double) / nullif(bp.rectified_categories, 0) as recurrence_rate
    from spine as sp
    {{ spine_left_join('by_period', 'bp') }}
    order by {{ spine_order() }}
)

select * from final
