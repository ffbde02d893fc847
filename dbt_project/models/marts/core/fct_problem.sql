-- 有效问题（通过 R1–R6）一行一个：自然键 (submitter_code, problem_code)
with

problems as (
    select * from {{ ref('int_problems_joined') }}
    where is_valid
),

final as (
    select
        concat_ws('|', submitter_code, problem_code) as problem_key,
        submitter_code,
        problem_code,
        inspection_key,
        organiser_code,
        organiser_code_reported,
        organiser_level,
        term,
        round,
        unit_code,
        problem_category,
        description,
        is_common,
        is_immediate,
        status,
        deadline,
        completed_date,
        coalesce(status <> '已完成' and deadline < {{ as_of_date() }}, false) as is_overdue,
        recovered_loss_wan,
        rules_established,
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
    from problems
)

select * from final
