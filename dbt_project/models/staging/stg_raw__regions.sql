with

source as (
    select * from {{ source('raw', 'raw_r0_region') }}
),

renamed as (
    select
        region_code,
        region_name,
        region_level,
        nullif(trim(parent_code), '') as parent_code,
        {{ lineage_columns(with_sha256=false) }}
    from source
    where is_current
)

select * from renamed
