-- 共性问题的自查义务（§6 Common problems）：每个现行共性问题（T7）× 下发单位辖区内
-- 单位类别在适用单位类别之内（“全部”即所有类别）的 T0 单位，一个单位一项义务。
-- 辖区 = 计入下发单位所在区划统计范围的单位：县委巡察办为本县；
-- 市委巡察办为市本级及所辖各县；省委巡视办为全省。
with

common_problems as (
    select * from {{ ref('stg_raw__common_problems') }}
),

units as (
    select * from {{ ref('stg_raw__units') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

scopes as (
    select * from {{ ref('int_region_scopes') }}
),

-- 机构（区划）→ 其辖区内的区划：区划本身，以及计入其统计范围（市、省）的区划
territory as (
    select
        region_code as office_code,
        region_code
    from regions

    union

    select
        scope_code as office_code,
        region_code
    from scopes
),

obligations as (
    select
        cp.issuer_code,
        cp.common_problem_code,
        u.unit_code,
        u.unit_name,
        u.unit_category,
        u.region_code as unit_region_code,
        r.city_code as unit_city_code,
        r.province_code as unit_province_code,
        cp.term,
        cp.round,
        cp.problem_category,
        cp.applicable_categories,
        cp.push_date,
        year(cp.push_date) as push_year,
        cp.deadline
    from common_problems as cp
    inner join territory as t on cp.issuer_code = t.office_code
    inner join units as u on t.region_code = u.region_code
    left join regions as r on u.region_code = r.region_code
    where
        list_contains(cp.applicable_categories, '全部')
        or list_contains(cp.applicable_categories, u.unit_category)
)

select * from obligations
