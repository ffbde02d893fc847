with

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

final as (
    select
        region_code,
        region_name,
        region_level,
        parent_code,
        city_code,
        province_code
    from regions
)

select * from final
