with

source as (
    select * from {{ source('raw', 'raw_quarantine') }}
),

renamed as (
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        template,
        submitter_code,
        column_name,
        value,
        rule,
        message
    from source
    where is_current
)

select * from renamed
