-- “回头看”疑似整改不到位清单（§10 rpt_recurrence_items）：每个复发的 (回头看 L, 问题类别 C) 一行
with

categories as (
    select * from {{ ref('fct_lookback_category') }}
    where is_recurred
),

final as (
    select
        unit_code,
        unit_name,
        unit_region_code as region_code,
        category,
        prior_inspection_key,
        prior_entry_date,
        cast(prior_problems as bigint) as prior_problems,
        lookback_inspection_key,
        lookback_entry_date,
        cast(lookback_problems as bigint) as lookback_problems
    from categories
    order by unit_code, lookback_inspection_key, category
)

select * from final
