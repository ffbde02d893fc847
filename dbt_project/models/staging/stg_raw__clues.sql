with

source as (
    select * from {{ source('raw', 'raw_t3_clue') }}
),

renamed as (
    select
        clue_code,
        {{ ledger_key_staging_columns() }},
        cadre_level,
        transfer_date,
        transfer_target,
        disposal,
        case_filed,
        case_filed_date,
        cast(disciplined_count as integer) as disciplined_count,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
