-- 共性问题的自查义务（§6）一行一项：现行共性问题 × 辖区内适用类别的单位，
-- 附回应它的有效自查（T8）；未回应且自查时限早于统计截止日期的为 W4（逾期未报）。
-- 自然键 (issuer_code, common_problem_code, unit_code)
with

obligations as (
    select * from {{ ref('int_common_problem_obligations') }}
),

common_problems as (
    select * from {{ ref('fct_common_problem') }}
),

self_checks as (
    select * from {{ ref('fct_self_check') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

joined as (
    select
        concat_ws('|', o.issuer_code, o.common_problem_code, o.unit_code) as obligation_key,
        cp.common_problem_key,
        o.issuer_code,
        cp.issuer_name,
        o.common_problem_code,
        o.term,
        o.round,
        o.problem_category,
        o.push_date,
        o.push_year,
        o.deadline,
        o.unit_code,
        o.unit_name,
        o.unit_category,
        o.unit_region_code,
        ur.region_name as unit_region_name,
        o.unit_city_code,
        o.unit_province_code,
        -- 自查表由单位所在区划的机构填报（§5 T8），即应报未报时的责任机构
        o.unit_region_code as reporting_office_code,
        ur.region_name as reporting_office_name,
        s.self_check_key is not null as is_answered,
        -- 按时：报送日期不晚于自查时限；自查时限为空时所有回应都算按时（§10）
        s.self_check_key is not null and coalesce(s.report_date <= o.deadline, true)
            as is_answered_on_time,
        s.self_check_key is null and coalesce(o.deadline < {{ as_of_date() }}, false)
            as is_overdue_unanswered,
        case
            when s.self_check_key is null and o.deadline < {{ as_of_date() }}
                then {{ as_of_date() }} - o.deadline
        end as days_overdue,
        s.report_date,
        s.submitter_code as answer_submitter_code,
        s.has_similar,
        s.problems_found,
        s.measures,
        s.completed,
        s.institutions,
        s.cases
    from obligations as o
    inner join common_problems as cp
        on
            o.issuer_code = cp.issuer_code
            and o.common_problem_code = cp.common_problem_code
    left join self_checks as s
        on
            o.issuer_code = s.issuer_code
            and o.common_problem_code = s.common_problem_code
            and o.unit_code = s.unit_code
    left join regions as ur on o.unit_region_code = ur.region_code
)

select * from joined
