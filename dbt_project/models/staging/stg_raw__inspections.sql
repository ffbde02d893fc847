with

source as (
    select * from {{ source('raw', 'raw_t1_inspection') }}
),

renamed as (
    select
        -- 安排表的组织单位就是填报单位（§5 T1）
        submitter_code as organiser_code,
        cast(term as integer) as term,
        cast(round as integer) as round,
        cast(batch as integer) as batch,
        team_name,
        unit_code,
        coalesce(modes, []) as modes,
        coalesce(team_origin_codes, []) as team_origin_codes,
        topic,
        deployment_code,
        entry_date,
        feedback_date,
        team_formation,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
