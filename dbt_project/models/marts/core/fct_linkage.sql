-- 成果联动（T5）一行一项：自然键 (submitter_code, link_code)。
-- 方向由来源、接收单位的层级决定；W3 标志检查来源/接收问题是否存在于已发布的问题中。
with

linkages as (
    select * from {{ ref('stg_raw__linkages') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

problems as (
    select * from {{ ref('int_problems_joined') }}
    where is_valid
),

-- 某单位 T2 中的问题：该单位填报的，或该单位组织的巡视巡察在下级台账中登记的
office_problems as (
    select distinct
        submitter_code as office_code,
        problem_code
    from problems
    union
    select distinct
        organiser_code as office_code,
        problem_code
    from problems
),

final as (
    select
        concat_ws('|', l.submitter_code, l.link_code) as link_key,
        l.submitter_code,
        l.link_code,
        l.link_type,
        l.source_office_code,
        src.region_level as source_office_level,
        l.source_problem_code,
        l.target_office_code,
        tgt.region_level as target_office_level,
        l.target_problem_code,
        case
            when src.level_rank > tgt.level_rank then '向上'
            when src.level_rank < tgt.level_rank then '向下'
            when src.level_rank = tgt.level_rank then '同级'
        end as direction,
        l.registered_date,
        year(l.registered_date) as registered_year,
        l.adoption,
        sp.problem_code is not null as source_problem_exists,
        case
            when l.target_problem_code is not null then tp.problem_code is not null
        end as target_problem_exists,
        l.submission_date,
        l.file_path,
        l.sheet,
        l.row_number
    from linkages as l
    left join regions as src on l.source_office_code = src.region_code
    left join regions as tgt on l.target_office_code = tgt.region_code
    left join office_problems as sp
        on
            l.source_office_code = sp.office_code
            and l.source_problem_code = sp.problem_code
    left join office_problems as tp
        on
            l.target_office_code = tp.office_code
            and l.target_problem_code = tp.problem_code
)

select * from final
