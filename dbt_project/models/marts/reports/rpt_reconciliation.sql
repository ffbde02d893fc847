-- 自报数核对（W1，§6 Reconciliation）：T4 自报数与由 T1–T3 推算数不一致的项。
-- 区划 R、年度 Y 的推算数 = R 组织、进驻日期在 Y 年的有效巡视巡察及其有效问题、线索。
with

summaries as (
    select * from {{ ref('fct_summary') }}
),

inspections as (
    select * from {{ ref('fct_inspection') }}
),

derived as (
    select
        organiser_code as region_code,
        entry_year as year,
        count(*) as inspected_orgs,
        sum(problems_found) as problems_found,
        sum(clues) as clues,
        sum(county_cadre_clues) as county_cadre_clues,
        sum(problems_rectified) as problems_rectified,
        sum(cases_filed) as cases_filed,
        sum(people_disciplined) as people_disciplined
    from ({{ with_ledger_counts('inspections') }}) as i
    group by organiser_code, entry_year
),

compared as (
    select
        s.submitter_code,
        s.region_code,
        s.year,
        m.metric_order,
        m.metric,
        m.reported,
        m.derived
    from summaries as s
    left join derived as d
        on
            s.region_code = d.region_code
            and s.year = d.year
    cross join lateral (
        values
        (1, '巡察党组织数', s.inspected_orgs, coalesce(d.inspected_orgs, 0)),
        (2, '发现问题数', s.problems_found, coalesce(d.problems_found, 0)),
        (3, '移交问题线索数', s.clues, coalesce(d.clues, 0)),
        (4, '其中县管干部线索数', s.county_cadre_clues, coalesce(d.county_cadre_clues, 0)),
        (5, '整改完成数', s.problems_rectified, coalesce(d.problems_rectified, 0)),
        (6, '立案数', s.cases_filed, coalesce(d.cases_filed, 0)),
        (7, '处分人数', s.people_disciplined, coalesce(d.people_disciplined, 0))
    ) as m (metric_order, metric, reported, derived)
),

final as (
    select
        submitter_code,
        region_code,
        cast(year as integer) as year,
        metric,
        cast(reported as bigint) as reported,
        cast(derived as bigint) as derived,
        cast(reported - derived as bigint) as difference
    from compared
    where
        reported is not null
        and reported <> derived
    order by submitter_code, region_code, year, metric_order
)

select * from final
