-- 交叉与非交叉巡察的问题线索产出（§6 Clue yield comparison, §9）
with

spine as (
    {{ region_report_spine() }}
),

by_region as (
    {{ clue_yield_by_region() }}
),

groups as (
    select
        g.inspection_group,
        g.group_order
    from (values ('交叉', 1), ('非交叉', 2)) as g (inspection_group, group_order)
),

by_period as (
    {{ scope_period_rollup(
        'by_region', ['inspections', 'clues', 'county_cadre_clues'], partition_by=['inspection_group']
    ) }}
),

final as (
    select
        sp.scope_code,
        sp.scope_name,
        sp.period,
        g.inspection_group,
        {{ counts_as_bigint('bp', ['inspections', 'clues', 'county_cadre_clues']) }},
        cast(bp.clues as double) / nullif(bp.inspections, 0) as clues_per_inspection,
        cast(bp.county_cadre_clues as double) / nullif(bp.inspections, 0)
            as county_cadre_clues_per_inspection
    from spine as sp
    cross join groups as g
    left join by_period as bp
        on
            sp.scope_code = bp.scope_code
            and sp.period = bp.period
            and g.inspection_group = bp.inspection_group
    order by {{ spine_order() }}, g.group_order asc
)

select * from final
