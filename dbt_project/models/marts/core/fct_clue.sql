-- 有效问题线索（通过 R1–R6）一行一件：自然键 (submitter_code, clue_code)。
-- 不含敏感列（反映对象、反映对象职务），它们从不进入工作仓库。
with

clues as (
    select * from {{ ref('int_clues_joined') }}
    where is_valid
),

final as (
    select
        concat_ws('|', submitter_code, clue_code) as clue_key,
        submitter_code,
        clue_code,
        inspection_key,
        organiser_code,
        organiser_code_reported,
        organiser_level,
        term,
        round,
        unit_code,
        cadre_level,
        cadre_level = '县管干部' as is_county_cadre,
        transfer_date,
        transfer_target,
        disposal,
        case_filed,
        case_filed_date,
        disciplined_count,
        is_cross,
        is_village,
        entry_date,
        entry_year,
        management_level,
        unit_region_code,
        unit_city_code,
        unit_province_code,
        submission_date,
        file_path,
        sheet,
        row_number
    from clues
)

select * from final
