-- 有效的共性问题对照自查（T8，通过 R1–R8）一行一条，附其回应的自查义务：
-- 自然键 (issuer_code, common_problem_code, unit_code)
with

self_checks as (
    select * from {{ ref('int_self_checks_validated') }}
    where is_valid
),

final as (
    select
        concat_ws('|', issuer_code, common_problem_code, unit_code) as self_check_key,
        common_problem_key,
        issuer_code,
        issuer_code_reported,
        issuer_name,
        common_problem_code,
        unit_code,
        unit_name,
        unit_category,
        unit_region_code,
        unit_city_code,
        unit_province_code,
        term,
        round,
        problem_category,
        push_date,
        push_year,
        deadline,
        has_similar,
        problems_found,
        measures,
        completed,
        institutions,
        cases,
        report_date,
        -- 按时：报送日期不晚于自查时限；自查时限为空时所有回应都算按时（§10）
        coalesce(report_date <= deadline, true) as is_on_time,
        submitter_code,
        submission_date,
        file_path,
        sheet,
        row_number
    from self_checks
)

select * from final
