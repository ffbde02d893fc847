-- “回头看”整改复发的分区划汇总（§10 rpt_recurrence）：按被巡察单位所属区划 × 回头看进驻年度
with

lookbacks as (
    select * from {{ ref('int_lookback_prior') }}
),

categories as (
    select
        lookback_inspection_key,
        count(*) as rectified_categories,
        count(*) filter (where is_recurred) as recurred_categories
    from {{ ref('int_recurrence_categories') }}
    group by lookback_inspection_key
),

aggregated as (
    select
        l.unit_region_code as region_code,
        l.lookback_entry_year as entry_year,
        count(*) as lookback_inspections,
        count(*) filter (where l.prior_inspection_key is not null) as with_prior,
        coalesce(sum(c.rectified_categories), 0) as rectified_categories,
        coalesce(sum(c.recurred_categories), 0) as recurred_categories
    from lookbacks as l
    left join categories as c on l.lookback_inspection_key = c.lookback_inspection_key
    group by l.unit_region_code, l.lookback_entry_year
)

select * from aggregated
