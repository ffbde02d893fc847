-- 巡视巡察成效（§10 rpt_outcomes）：按统计范围 × 期间（进驻日期所在年度）
with

spine as (
    select * from {{ ref('int_report_spine') }}
),

by_region as (
    select * from {{ ref('int_outcomes_by_region') }}
),

scopes as (
    select * from {{ ref('int_region_scopes') }}
),

by_year as (
    select
        s.scope_code,
        cast(b.entry_year as varchar) as period,
        sum(b.inspections) as inspections,
        sum(b.problems_found) as problems_found,
        sum(b.immediate) as immediate,
        sum(b.immediate_completed) as immediate_completed,
        sum(b.immediate_livelihood) as immediate_livelihood,
        sum(b.common_flagged) as common_flagged,
        sum(b.recovered_loss_10k) as recovered_loss_10k,
        sum(b.institutions) as institutions,
        sum(b.clues) as clues,
        sum(b.cases_filed) as cases_filed,
        sum(b.punished) as punished
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
        sum(inspections) as inspections,
        sum(problems_found) as problems_found,
        sum(immediate) as immediate,
        sum(immediate_completed) as immediate_completed,
        sum(immediate_livelihood) as immediate_livelihood,
        sum(common_flagged) as common_flagged,
        sum(recovered_loss_10k) as recovered_loss_10k,
        sum(institutions) as institutions,
        sum(clues) as clues,
        sum(cases_filed) as cases_filed,
        sum(punished) as punished
    from by_year
    group by scope_code
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
