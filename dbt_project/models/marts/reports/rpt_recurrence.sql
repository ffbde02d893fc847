-- 巡察“回头看”发现已整改问题复发（§10 rpt_recurrence）：按统计范围 × 期间（回头看进驻日期所在年度）
with

spine as (
    select * from {{ ref('int_report_spine') }}
),

by_region as (
    select * from {{ ref('int_recurrence_by_region') }}
),

scopes as (
    select * from {{ ref('int_region_scopes') }}
),

by_year as (
    select
        s.scope_code,
        cast(b.entry_year as varchar) as period,
        sum(b.lookback_inspections) as lookback_inspections,
        sum(b.with_prior) as with_prior,
        sum(b.rectified_categories) as rectified_categories,
        sum(b.recurred_categories) as recurred_categories
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
        sum(lookback_inspections) as lookback_inspections,
        sum(with_prior) as with_prior,
        sum(rectified_categories) as rectified_categories,
        sum(recurred_categories) as recurred_categories
    from by_year
    group by scope_code
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
