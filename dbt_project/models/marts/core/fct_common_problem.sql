-- 现行有效的共性问题（T7，未被重报替换、未被隔离）一行一个：自然键 (issuer_code, common_problem_code)
with

common_problems as (
    select * from {{ ref('stg_raw__common_problems') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

final as (
    select
        concat_ws('|', cp.issuer_code, cp.common_problem_code) as common_problem_key,
        cp.issuer_code,
        r.region_name as issuer_name,
        r.region_level as issuer_level,
        cp.common_problem_code,
        cp.term,
        cp.round,
        cp.problem_category,
        cp.description,
        cp.applicable_categories,
        cp.push_date,
        year(cp.push_date) as push_year,
        cp.deadline,
        coalesce(cp.deadline < {{ as_of_date() }}, false) as is_past_deadline,
        cp.submitter_code,
        cp.submission_date,
        cp.file_path,
        cp.sheet,
        cp.row_number
    from common_problems as cp
    left join regions as r on cp.issuer_code = r.region_code
)

select * from final
