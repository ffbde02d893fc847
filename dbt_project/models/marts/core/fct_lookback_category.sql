-- “回头看”各问题类别的整改复发（§10）：问题类别 C 在前次 P“已整改”= P 至少有一个 C 类问题
-- 且 P 的 C 类问题全部已完成；若回头看 L 又发现至少一个 C 类问题即“复发”。
-- 每个 (L, 在 P 已整改的 C) 一行。
with

lookbacks as (
    select * from {{ ref('fct_lookback') }}
    where prior_inspection_key is not null
),

problems_by_category as (
    select
        inspection_key,
        problem_category,
        count(*) as problems,
        bool_and(status = '已完成') as all_completed
    from {{ ref('fct_problem') }}
    group by inspection_key, problem_category
),

rectified as (
    select
        l.lookback_inspection_key,
        l.unit_code,
        l.unit_name,
        l.unit_region_code,
        l.lookback_entry_date,
        l.lookback_entry_year,
        l.prior_inspection_key,
        l.prior_entry_date,
        pc.problem_category as category,
        pc.problems as prior_problems
    from lookbacks as l
    inner join problems_by_category as pc
        on l.prior_inspection_key = pc.inspection_key
    where pc.all_completed
),

final as (
    select
        r.*,
        coalesce(lc.problems, 0) as lookback_problems,
        coalesce(lc.problems, 0) > 0 as is_recurred
    from rectified as r
    left join problems_by_category as lc
        on
            r.lookback_inspection_key = lc.inspection_key
            and r.category = lc.problem_category
)

select * from final
