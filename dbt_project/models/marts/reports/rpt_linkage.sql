-- 成果联动情况：按联动类型 × 方向（向上/向下/同级，由来源、接收单位的区划层级决定）统计
-- 联动项数、采纳情况及来源/接收问题不存在（W3）的项数。
-- adoption_rate = 已采纳 / 联动项数（未填采纳情况的计入分母）。
with

linkages as (
    select * from {{ ref('fct_linkage') }}
),

types as (
    select
        t.link_type,
        t.type_order
    from (
        values
        ('向上报送', 1),
        ('向下交办', 2),
        ('写入巡视报告', 3),
        ('共性问题推送', 4)
    ) as t (link_type, type_order)
),

directions as (
    select
        d.direction,
        d.direction_order
    from (values ('向上', 1), ('向下', 2), ('同级', 3)) as d (direction, direction_order)
),

aggregated as (
    select
        link_type,
        direction,
        count(*) as links,
        count(*) filter (where adoption = '已采纳') as adopted,
        count(*) filter (where adoption = '未采纳') as not_adopted,
        count(*) filter (where adoption = '办理中') as in_progress,
        count(*) filter (where adoption is null) as adoption_not_reported,
        count(*) filter (where not source_problem_exists) as missing_source_problem,
        count(*) filter (where not target_problem_exists) as missing_target_problem
    from linkages
    group by link_type, direction
),

final as (
    select
        t.link_type,
        d.direction,
        {{ counts_as_bigint('a', ['links', 'adopted', 'not_adopted', 'in_progress', 'adoption_not_reported']) }},
        cast(a.adopted as double) / nullif(a.links, 0) as adoption_rate,
        cast(coalesce(a.missing_source_problem, 0) as bigint) as missing_source_problem,
        cast(coalesce(a.missing_target_problem, 0) as bigint) as missing_target_problem
    from types as t
    cross join directions as d
    left join aggregated as a
        on
            t.link_type = a.link_type
            and d.direction = a.direction
    order by t.type_order, d.direction_order
)

select * from final
