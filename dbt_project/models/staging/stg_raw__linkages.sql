with

source as (
    select * from {{ source('raw', 'raw_t5_linkage') }}
),

renamed as (
    select
        link_code,
        link_type,
        source_office_code,
        source_problem_code,
        target_office_code,
        target_problem_code,
        registered_date,
        adoption,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
