-- 逾期未完成整改问题清单（领导统计表“整改进展”）：整改状态不是已完成、整改时限早于统计截止日期的问题，
-- 全部年度，逾期天数 = 统计截止日期 − 整改时限。读取 fct_problem、dim_org、dim_region。
with

problems as (
    select * from {{ ref('fct_problem') }}
    where is_overdue
),

orgs as (
    select * from {{ ref('dim_org') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

final as (
    select
        p.problem_key,
        p.unit_code,
        coalesce(o.unit_name, p.unit_code) as unit_name,
        p.unit_city_code,
        coalesce(c.region_name, '省本级') as city_name,
        p.organiser_code,
        coalesce(g.region_name, p.organiser_code) as organiser_name,
        p.problem_code,
        p.problem_category,
        p.status,
        p.entry_year,
        p.deadline,
        cast({{ as_of_date() }} - p.deadline as bigint) as days_overdue
    from problems as p
    left join orgs as o on p.unit_code = o.unit_code
    left join regions as c on p.unit_city_code = c.region_code
    left join regions as g on p.organiser_code = g.region_code
    order by days_overdue desc, p.unit_city_code asc nulls last, p.problem_code asc
)

select * from final
