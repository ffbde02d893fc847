-- 问题线索产出的分区划汇总（口径见 §6 Clue yield comparison）：
-- 被巡察单位管理权限为县管、不含对村（社区）巡察的有效巡视巡察；
-- 按被巡察单位所属区划 × 进驻年度 × 分组（交叉/非交叉）汇总。
with

inspections as (
    select * from {{ ref('int_inspections_validated') }}
    where
        is_valid
        and management_level = '县管'
        and not is_village
),

clues as (
    select
        inspection_key,
        count(*) as clues,
        count(*) filter (where cadre_level = '县管干部') as county_cadre_clues
    from {{ ref('int_clues_joined') }}
    where is_valid
    group by inspection_key
),

per_inspection as (
    select
        i.unit_region_code as region_code,
        i.entry_year,
        case when i.is_cross then '交叉' else '非交叉' end as inspection_group,
        coalesce(c.clues, 0) as clues,
        coalesce(c.county_cadre_clues, 0) as county_cadre_clues
    from inspections as i
    left join clues as c on i.inspection_key = c.inspection_key
),

aggregated as (
    select
        region_code,
        entry_year,
        inspection_group,
        count(*) as inspections,
        sum(clues) as clues,
        sum(county_cadre_clues) as county_cadre_clues
    from per_inspection
    group by region_code, entry_year, inspection_group
)

select * from aggregated
