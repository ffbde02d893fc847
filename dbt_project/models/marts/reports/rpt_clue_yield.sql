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
    {{ clue_yield_by_partition('groups', 'g', 'inspection_group', 'group_order') }}
)

select * from final
