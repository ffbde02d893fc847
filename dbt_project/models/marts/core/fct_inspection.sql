-- 有效巡视巡察（通过 R1–R6）一行一次：自然键 (organiser_code, term, round, unit_code)
with

inspections as (
    select * from {{ ref('int_inspections_validated') }}
    where is_valid
),

final as (
    select
        inspection_key,
        organiser_code,
        term,
        round,
        unit_code,
        batch,
        organiser_name,
        organiser_level,
        team_name,
        team_formation,
        team_origin_codes,
        effective_team_origin_codes,
        modes,
        is_regular,
        is_special,
        is_elevated,
        is_cross,
        is_revisit,
        is_mobile,
        is_village,
        topic,
        deployment_code,
        entry_date,
        feedback_date,
        entry_year,
        unit_name,
        unit_category,
        management_level,
        unit_region_code,
        unit_city_code,
        unit_province_code,
        submitter_code,
        submission_date,
        file_path,
        sheet,
        row_number
    from inspections
)

select * from final
