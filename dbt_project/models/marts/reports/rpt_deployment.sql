-- 上下联动部署（T6）的落实情况：每个部署 × 组织单位层级（省/市/县）一行，
-- 巡察组数、巡视巡察数、发现问题数、移交线索数按填写了该部署编号的有效巡视巡察统计。
-- planned_targets 为部署整体的计划对象数，在各层级行上重复，不应跨层级相加。
with

deployments as (
    select * from {{ ref('dim_deployment') }}
),

inspections as (
    select * from {{ ref('fct_inspection') }}
    where deployment_code is not null
),

levels as (
    select
        l.level,
        l.level_order
    from (values ('省', 1), ('市', 2), ('县', 3)) as l (level, level_order)
),

aggregated as (
    select
        i.deployment_code,
        i.organiser_level as level,
        count(distinct concat_ws('|', i.organiser_code, i.term, i.round, i.team_name)) as teams,
        count(*) as inspections,
        count(distinct i.organiser_code) as organisers,
        sum(i.problems_found) as problems,
        sum(i.clues) as clues
    from ({{ with_ledger_counts('inspections') }}) as i
    group by i.deployment_code, i.organiser_level
),

final as (
    select
        d.deployment_code,
        d.deployment_name,
        d.start_date,
        l.level,
        d.planned_targets,
        {{ counts_as_bigint('a', ['organisers', 'teams', 'inspections', 'problems', 'clues']) }}
    from deployments as d
    cross join levels as l
    left join aggregated as a
        on
            d.deployment_code = a.deployment_code
            and l.level = a.level
    order by d.start_date, d.deployment_code, l.level_order
)

select * from final
