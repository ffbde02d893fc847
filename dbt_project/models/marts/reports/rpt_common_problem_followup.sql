-- 共性问题跟踪按统计范围 × 期间（推送日期所在年度）（§10 rpt_common_problem_followup）：
-- 每项自查义务计入其单位所属区划的统计范围；期间为“全部”及现行共性问题推送日期出现的每个年度。
with

spine as (
    {{ region_report_spine(ref('fct_common_problem'), 'push_year') }}
),

by_region as (
    {{ common_problem_followup_by_region() }}
),

obligations as (
    select * from {{ ref('fct_common_problem_obligation') }}
),

scopes as (
    {{ region_scopes(ref('dim_region')) }}
),

by_period as (
    {{ scope_period_rollup('by_region', [
        'units_in_scope', 'units_reported', 'units_reported_on_time', 'units_overdue', 'units_with_problem',
        'problems_found', 'measures', 'completed', 'institutions', 'cases'
    ], year_column='push_year') }}
),

-- 在该统计范围内至少有一项义务的共性问题数（不可加，不参与 B3）
common_problem_counts as (
    select
        s.scope_code,
        cast(o.push_year as varchar) as period,
        count(distinct o.common_problem_key) as common_problems
    from obligations as o
    inner join scopes as s on o.unit_region_code = s.region_code
    group by s.scope_code, o.push_year

    union all

    select
        s.scope_code,
        '全部' as period,
        count(distinct o.common_problem_key) as common_problems
    from obligations as o
    inner join scopes as s on o.unit_region_code = s.region_code
    group by s.scope_code
),

final as (
    select
        {{ spine_columns() }},
        cast(coalesce(cc.common_problems, 0) as bigint) as common_problems,
        {{ obligation_columns('bp') }}
    from spine as sp
    {{ spine_left_join('by_period', 'bp') }}
    {{ spine_left_join('common_problem_counts', 'cc') }}
    order by {{ spine_order() }}
)

select * from final
