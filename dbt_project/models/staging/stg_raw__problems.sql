with

source as (
    select * from {{ source('raw', 'raw_t2_problem') }}
),

renamed as (
    select
        problem_code,
        {{ ledger_key_staging_columns() }},
        problem_category,
        description,
        coalesce(is_common, false) as is_common,
        coalesce(is_immediate, false) as is_immediate,
        status,
        deadline,
        completed_date,
        cast(recovered_loss_wan as double) as recovered_loss_wan,
        cast(rules_established as integer) as rules_established,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
