-- 统计范围桥表（§6 Scopes）：区划内单位计入本区划所属的市和省。
-- 市本级（XXYY00）单位计入该市和全省；省本级单位只计入全省。
with

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

scopes as (
    select
        region_code,
        province_code as scope_code,
        '省' as scope_level
    from regions
    where province_code is not null

    union all

    select
        region_code,
        city_code as scope_code,
        '市' as scope_level
    from regions
    where city_code is not null
)

select * from scopes
