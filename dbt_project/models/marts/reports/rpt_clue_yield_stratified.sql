-- 交叉/非交叉问题线索率之比的分层（Mantel–Haenszel）估计，与粗率比并列。
-- 口径同 rpt_clue_yield；分层 = 市 × 进驻年度（省本级单位自成一“市”层）。
-- 全省“全部”按市×年分层；全省某年按市分层；某市“全部”按年分层；某市某年只有一层。
-- RR_MH = Σ(a·N0/T) / Σ(b·N1/T)，a、b 为交叉、非交叉线索数，N1、N0 为巡视巡察数，T = N1 + N0；
-- 95% 置信区间用 Greenland–Robins 方差：
-- Var(ln RR_MH) = Σ(N1·N0·(a+b)/T²) / (Σ(a·N0/T) · Σ(b·N1/T))。
with

spine as (
    {{ region_report_spine() }}
),

by_region as (
    {{ clue_yield_by_region() }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

scopes as (
    {{ region_scopes(ref('dim_region')) }}
),

strata_rows as (
    select
        s.scope_code,
        coalesce(r.city_code, r.province_code) as stratum_city_code,
        b.entry_year,
        b.inspection_group,
        b.inspections,
        b.clues,
        b.county_cadre_clues
    from by_region as b
    inner join regions as r on b.region_code = r.region_code
    inner join scopes as s on b.region_code = s.region_code
),

-- 每个层行计入其进驻年度和“全部”两个期间
strata_by_period as (
    select
        s.scope_code,
        p.period,
        s.stratum_city_code,
        s.entry_year,
        s.inspection_group,
        s.inspections,
        s.clues,
        s.county_cadre_clues
    from strata_rows as s
    cross join lateral (values (cast(s.entry_year as varchar)), ('全部')) as p (period)
),

strata as (
    select
        scope_code,
        period,
        stratum_city_code,
        entry_year,
        coalesce(sum(inspections) filter (where inspection_group = '交叉'), 0) as n1,
        coalesce(sum(clues) filter (where inspection_group = '交叉'), 0) as c1,
        coalesce(sum(county_cadre_clues) filter (where inspection_group = '交叉'), 0) as k1,
        coalesce(sum(inspections) filter (where inspection_group = '非交叉'), 0) as n0,
        coalesce(sum(clues) filter (where inspection_group = '非交叉'), 0) as c0,
        coalesce(sum(county_cadre_clues) filter (where inspection_group = '非交叉'), 0) as k0
    from strata_by_period
    group by scope_code, period, stratum_city_code, entry_year
),

terms as (
    select
        scope_code,
        period,
        stratum_city_code,
        entry_year,
        n1,
        n0,
        c1,
        c0,
        k1,
        k0,
        n1 > 0 and n0 > 0 as is_informative,
        n1 + n0 as t,
        c1 * cast(n0 as double) / (n1 + n0) as clues_r,
        c0 * cast(n1 as double) / (n1 + n0) as clues_s,
        n1 * n0 * cast(c1 + c0 as double) / ((n1 + n0) * (n1 + n0)) as clues_p,
        k1 * cast(n0 as double) / (n1 + n0) as cadre_r,
        k0 * cast(n1 as double) / (n1 + n0) as cadre_s,
        n1 * n0 * cast(k1 + k0 as double) / ((n1 + n0) * (n1 + n0)) as cadre_p
    from strata
    where n1 + n0 > 0
),

-- Floating-point sums in a fixed stratum order: DuckDB's parallel aggregation may add
-- doubles in any order, and the last bits then differ between two identical refreshes.
summed as (
    select
        scope_code,
        period,
        count(*) as strata,
        count(*) filter (where is_informative) as informative_strata,
        sum(n1) as n1,
        sum(n0) as n0,
        sum(c1) as c1,
        sum(c0) as c0,
        sum(k1) as k1,
        sum(k0) as k0,
        sum(clues_r order by stratum_city_code, entry_year) as clues_r,
        sum(clues_s order by stratum_city_code, entry_year) as clues_s,
        sum(clues_p order by stratum_city_code, entry_year) as clues_p,
        sum(cadre_r order by stratum_city_code, entry_year) as cadre_r,
        sum(cadre_s order by stratum_city_code, entry_year) as cadre_s,
        sum(cadre_p order by stratum_city_code, entry_year) as cadre_p
    from terms
    group by scope_code, period
),

final as (
    select
        {{ spine_columns() }},
        cast(coalesce(s.strata, 0) as bigint) as strata,
        cast(coalesce(s.informative_strata, 0) as bigint) as informative_strata,
        {{ stratified_rate_ratio_columns('clues', 's.c1', 's.n1', 's.c0', 's.n0', 's.clues') }},
        {{ stratified_rate_ratio_columns('county_cadre_clues', 's.k1', 's.n1', 's.k0', 's.n0', 's.cadre') }}
    from spine as sp
    {{ spine_left_join('summed', 's') }}
    order by {{ spine_order() }}
)

select * from final
