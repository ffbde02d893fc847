with

source as (
    select * from {{ source('raw', 'raw_t7_common_problem') }}
),

renamed as (
    select
        -- 共性问题清单的下发单位就是填报单位（§5 T7）
        submitter_code as issuer_code,
        common_problem_code,
        cast(term as integer) as term,
        cast(round as integer) as round,
        problem_category,
        description,
        coalesce(applicable_categories, []) as applicable_categories,
        push_date,
        deadline,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
