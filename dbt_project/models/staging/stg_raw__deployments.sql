with

source as (
    select * from {{ source('raw', 'raw_t6_deployment') }}
),

renamed as (
    select
        deployment_code,
        deployment_name,
        start_date,
        cast(planned_targets as integer) as planned_targets,
        {{ lineage_columns(with_sha256=false) }}
    from source
    where is_current
)

select * from renamed
