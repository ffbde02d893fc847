-- 巡察“回头看”的前次巡视巡察（§10 rpt_recurrence）：每次巡察方式含“回头看”的有效巡视巡察 L，
-- 其前次 P 为同一单位（任一组织单位）进驻日期严格早于 L、且最晚的有效巡视巡察；
-- 进驻日期相同时取自然键文本较大的一次；可能没有前次。
with

inspections as (
    select * from {{ ref('fct_inspection') }}
),

lookbacks as (
    select * from inspections
    where is_revisit
),

candidates as (
    select
        l.inspection_key as lookback_inspection_key,
        l.unit_code,
        l.unit_name,
        l.unit_region_code,
        l.entry_date as lookback_entry_date,
        l.entry_year as lookback_entry_year,
        p.inspection_key as prior_inspection_key,
        p.entry_date as prior_entry_date
    from lookbacks as l
    left join inspections as p
        on
            l.unit_code = p.unit_code
            and l.entry_date > p.entry_date
    qualify row_number() over (
        partition by l.inspection_key
        order by p.entry_date desc nulls last, p.inspection_key desc nulls last
    ) = 1
)

select * from candidates
