-- 工作情况汇总表（T4）的自报数，一行一个 (区划, 统计年度)：rpt_reconciliation（W1）和
-- rpt_submission_completeness（W2）由此读取自报数与报送情况。空值表示未报（不是 0）。
with

summaries as (
    select * from {{ ref('stg_raw__summaries') }}
),

final as (
    select
        region_code,
        year,
        inspected_orgs,
        problems_found,
        clues,
        county_cadre_clues,
        problems_rectified,
        cases_filed,
        people_disciplined,
        submitter_code,
        submission_date,
        file_path,
        file_sha256,
        sheet,
        row_number
    from summaries
)

select * from final
