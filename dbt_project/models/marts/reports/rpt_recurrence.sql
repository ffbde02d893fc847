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
        sp.scope_code,
        sp.scope_name,
        sp.period,
        cast(coalesce(bp.lookback_inspections, 0) as bigint) as lookback_inspections,
        cast(coalesce(bp.with_prior, 0) as bigint) as with_prior,
        cast(coalesce(bp.rectified_categories, 0) as bigint) as rectified_categories,
        cast(coalesce(bp.recurred_categories, 0) as bigint) as recurred_categories,
        cast(bp.recurred_categories as double) / nullif(bp.rectified_categories, 0) as recurrence_rate
    from spine as sp
    left join by_period as bp
        on
            sp.scope_code = bp.scope_code
            and sp.period = bp.period
    order by sp.scope_level desc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
