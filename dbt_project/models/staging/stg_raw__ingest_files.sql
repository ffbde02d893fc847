with

source as (
    select * from {{ source('raw', 'raw_ingest_files') }}
),

renamed as (
    select
        file_path,
        file_sha256,
        file_size,
        file_mtime,
        submitter_code,
        submission_date,
        status,
        rule,
        message,
        cast(rows_loaded as integer) as rows_loaded,
        cast(rows_quarantined as integer) as rows_quarantined
    from source
)

select * from renamed
