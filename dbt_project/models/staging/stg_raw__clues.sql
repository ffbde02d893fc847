with

source as (
    select * from {{ source('raw', 'raw_t3_clue') }}
),

renamed as (
    select
        clue_code,
        -- 组织单位：为空表示填报单位本身，在 int 层按 §6 补齐
        organiser_code,
        cast(term as integer) as term,
        cast(round as integer) as round,
        unit_code,
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
