-- 巡视巡察覆盖情况：每个区划名录（T0）内的单位数与本届已巡察的单位数。
-- 本届（current_term）= 该区划机构所组织的有效巡视巡察中的最大届次；
-- 本届起始日 = 该机构本届巡视巡察中最早的进驻日期。
-- 已巡察单位 = 本区划名录单位中，由本机构在本届巡察过的，或由其他机构（如上级统筹的交叉、提级）
-- 在本届起始日及以后巡察过的单位。本区划机构没有任何巡视巡察时本届为空、已巡察为 0。
with

regions as (
    select * from {{ ref('dim_region') }}
),

units as (
    select * from {{ ref('dim_org') }}
),

inspections as (
    select * from {{ ref('fct_inspection') }}
),

current_terms as (
    select
        organiser_code as region_code,
        max(term) as current_term
    from inspections
    group by organiser_code
),

current_term_starts as (
    select
        ct.region_code,
        ct.current_term,
        min(i.entry_date) as current_term_start_date
    from current_terms as ct
    inner join inspections as i
        on
            ct.region_code = i.organiser_code
            and ct.current_term = i.term
    group by ct.region_code, ct.current_term
),

inspected as (
    select
        i.unit_region_code as region_code,
        i.unit_code,
        bool_or(i.organiser_code = i.unit_region_code) as by_own_office
    from inspections as i
    inner join current_term_starts as cts on i.unit_region_code = cts.region_code
    where
        (i.organiser_code = cts.region_code and i.term = cts.current_term)
        or (i.organiser_code <> cts.region_code and i.entry_date >= cts.current_term_start_date)
    group by i.unit_region_code, i.unit_code
),

registered as (
    select
        region_code,
        count(*) as registered_units
    from units
    group by region_code
),

inspected_counts as (
    select
        region_code,
        count(*) as inspected_units,
        count(*) filter (where by_own_office) as inspected_units_by_own_office
    from inspected
    group by region_code
),

final as (
    select
        r.region_code,
        r.region_name,
        r.region_level,
        r.city_code,
        cts.current_term,
        cts.current_term_start_date,
        cast(coalesce(rg.registered_units, 0) as bigint) as registered_units,
        cast(coalesce(ic.inspected_units, 0) as bigint) as inspected_units,
        cast(coalesce(ic.inspected_units_by_own_office, 0) as bigint)
            as inspected_units_by_own_office,
        cast(coalesce(ic.inspected_units, 0) as double) / nullif(rg.registered_units, 0) as coverage_rate
    from regions as r
    left join current_term_starts as cts on r.region_code = cts.region_code
    left join registered as rg on r.region_code = rg.region_code
    left join inspected_counts as ic on r.region_code = ic.region_code
    order by {{ region_level_rank('r.region_level') }}, r.region_code
)

select * from final
