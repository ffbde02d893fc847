with

units as (
    select * from {{ ref('stg_raw__units') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

final as (
    select
        u.unit_code,
        u.unit_name,
        u.aliases,
        u.unit_category,
        u.region_code,
        r.region_name,
        r.region_level,
        r.city_code,
        r.province_code,
        u.management_level
    from units as u
    left join regions as r on u.region_code = r.region_code
)

select * from final
