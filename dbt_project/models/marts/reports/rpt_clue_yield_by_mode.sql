-- 按巡察方式的问题线索产出：口径同 rpt_clue_yield（县管单位的有效巡视巡察），
-- 一次巡视巡察含多种方式时计入每一种方式。除“对村（社区）”一行外均不含对村（社区）巡察；
-- “对村（社区）”一行即对村（社区）巡察本身。
with

spine as (
    {{ region_report_spine() }}
),

inspections as (
    select * from {{ ref('fct_inspection') }}
    where management_level = '县管'
),

clues as (
    {{ clues_per_inspection() }}
),

modes as (
    select
        m.mode,
        m.mode_order
    from (
        values
        ('常规', 1),
        ('专项', 2),
        ('提级', 3),
        ('交叉', 4),
        ('回头看', 5),
        ('机动', 6),
        ('对村（社区）', 7)
    ) as m (mode, mode_order)
),

per_inspection_mode as (
    select
        i.unit_region_code as region_code,
        i.entry_year,
        m.mode,
        coalesce(c.clues, 0) as clues,
        coalesce(c.county_cadre_clues, 0) as county_cadre_clues
    from inspections as i
    inner join modes as m
        on
            list_contains(i.modes, m.mode)
            and (m.mode = '对村（社区）' or not i.is_village)
    left join clues as c on i.inspection_key = c.inspection_key
),

by_period as (
    {{ scope_period_rollup(
        'per_inspection_mode', ['clues', 'county_cadre_clues'], partition_by=['mode'], row_count='inspections'
    ) }}
),

final as (
    {{ clue_yield_by_partition('modes', 'm', 'mode', 'mode_order') }}
)

select * from final
