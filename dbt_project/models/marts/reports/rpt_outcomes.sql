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
        sp.scope_code,
        sp.scope_name,
        sp.period,
        cast(coalesce(bp.inspections, 0) as bigint) as inspections,
        cast(coalesce(bp.problems_found, 0) as bigint) as problems_found,
        cast(coalesce(bp.immediate, 0) as bigint) as immediate,
        cast(coalesce(bp.immediate_completed, 0) as bigint) as immediate_completed,
        cast(coalesce(bp.immediate_livelihood, 0) as bigint) as immediate_livelihood,
        cast(coalesce(bp.common_flagged, 0) as bigint) as common_flagged,
        cast(coalesce(bp.recovered_loss_10k, 0) as double) as recovered_loss_10k,
        cast(coalesce(bp.institutions, 0) as bigint) as institutions,
        cast(coalesce(bp.clues, 0) as bigint) as clues,
        cast(coalesce(bp.cases_filed, 0) as bigint) as cases_filed,
        cast(coalesce(bp.punished, 0) as bigint) as punished
    from spine as sp
    left join by_period as bp
        on
            sp.scope_code = bp.scope_code
            and sp.period = bp.period
    order by sp.scope_level desc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
