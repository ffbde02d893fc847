-- 交叉/非交叉的问题线索率之比及 95% 置信区间（泊松率之比，对数法，§6）
with

yield as (
    select * from {{ ref('rpt_clue_yield') }}
),

pivoted as (
    select
        scope_code,
        scope_name,
        period,
        sum(inspections) filter (where inspection_group = '交叉') as n1,
        sum(clues) filter (where inspection_group = '交叉') as c1,
        sum(county_cadre_clues) filter (where inspection_group = '交叉') as k1,
        sum(inspections) filter (where inspection_group = '非交叉') as n0,
        sum(clues) filter (where inspection_group = '非交叉') as c0,
        sum(county_cadre_clues) filter (where inspection_group = '非交叉') as k0
    from yield
    group by scope_code, scope_name, period
),

final as (
    select
        scope_code,
        scope_name,
        period,
        {{ poisson_rate_ratio('c1', 'n1', 'c0', 'n0') }} as ratio_clues,
        {{ poisson_rate_ratio_ci('c1', 'n1', 'c0', 'n0', 'low') }} as ratio_clues_ci_low,
        {{ poisson_rate_ratio_ci('c1', 'n1', 'c0', 'n0', 'high') }} as ratio_clues_ci_high,
        {{ poisson_rate_ratio('k1', 'n1', 'k0', 'n0') }} as ratio_county_cadre_clues,
        {{ poisson_rate_ratio_ci('k1', 'n1', 'k0', 'n0', 'low') }}
            as ratio_county_cadre_clues_ci_low,
        {{ poisson_rate_ratio_ci('k1', 'n1', 'k0', 'n0', 'high') }}
            as ratio_county_cadre_clues_ci_high
    from pivoted
    order by scope_code, period <> '全部', period
)

select * from final
