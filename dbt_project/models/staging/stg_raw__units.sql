with

source as (
    select * from {{ source('raw', 'raw_t0_unit') }}
),

renamed as (
    select
        unit_code,
        unit_name,
        aliases,
        unit_category,
        region_code,
        management_level,
        {{ lineage_columns(with_sha256=false) }}
    from source
    where is_current
)

select * from renamed
