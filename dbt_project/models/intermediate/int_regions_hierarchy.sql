-- 区划层级展开：为每个区划求出所属市、省（不写死任何区划名称或代码）
with

regions as (
    select * from {{ ref('stg_raw__regions') }}
),

joined as (
    select
        r.region_code,
        r.region_name,
        r.region_level,
        r.parent_code,
        p.region_level as parent_level,
        g.region_code as grandparent_code,
        g.region_level as grandparent_level
    from regions as r
    left join regions as p on r.parent_code = p.region_code
    left join regions as g on p.parent_code = g.region_code
),

final as (
    select
        region_code,
        region_name,
        region_level,
        parent_code,
        case
            when region_level = '市' then region_code
            when region_level = '县' and parent_level = '市' then parent_code
        end as city_code,
        case
            when region_level = '省' then region_code
            when parent_level = '省' then parent_code
            when grandparent_level = '省' then grandparent_code
        end as province_code,
        {{ region_level_rank('region_level') }} as level_rank
    from joined
)

select * from final
