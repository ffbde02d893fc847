with

source as (
    select * from {{ source('raw', 'raw_t8_self_check') }}
),

renamed as (
    select
        -- 下发单位为空即填报单位（§5 T8）
        coalesce(issuer_code, submitter_code) as issuer_code,
        issuer_code as issuer_code_reported,
        common_problem_code,
        unit_code,
        has_similar,
        -- 计数为空按 0 计（§5 T8）
        cast(coalesce(problems_found, 0) as integer) as problems_found,
        cast(coalesce(measures, 0) as integer) as measures,
        cast(coalesce(completed, 0) as integer) as completed,
        cast(coalesce(institutions, 0) as integer) as institutions,
        cast(coalesce(cases, 0) as integer) as cases,
        report_date,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
