-- 报表骨架（§6）：统计范围（全省 + 各市）× 期间（“全部” + 数据中出现的每个进驻年度）
with

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

inspections as (
    select * from {{ ref('int_inspections_validated') }}
    where is_valid
),

scopes as (
    select
        region_code as scope_code,
        region_name as scope_name,
        region_level as scope_level
    from regions
    where
        (region_level = '省' and region_code = {{ province_code() }})
        or (region_level = '市' and province_code = {{ province_code() }})
),

periods as (
    select '全部' as period
    union all
    select distinct cast(entry_year as varchar) as period
    from inspections
    where entry_year is not null
),

spine as (
    select
        s.scope_code,
        s.scope_name,
        s.scope_level,
        p.period
    from scopes as s
    cross join periods as p
)

select * from spine
