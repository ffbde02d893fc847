with

source as (
    select * from {{ source('raw', 'raw_t4_summary') }}
),

renamed as (
    select
        region_code,
        cast(year as integer) as year,
        cast(inspected_orgs as integer) as inspected_orgs,
        cast(problems_found as integer) as problems_found,
        cast(clues as integer) as clues,
        cast(county_cadre_clues as integer) as county_cadre_clues,
        cast(problems_rectified as integer) as problems_rectified,
        cast(cases_filed as integer) as cases_filed,
        cast(people_disciplined as integer) as people_disciplined,
        {{ lineage_columns() }}
    from source
    where is_current
)

select * from renamed
