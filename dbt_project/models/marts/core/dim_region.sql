-- 区划维度：int_regions_hierarchy 的各列（所属市、省），不含内部用的层级次序 level_rank
with

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

final as (
    select * exclude (level_rank) from regions
)

select * from final
