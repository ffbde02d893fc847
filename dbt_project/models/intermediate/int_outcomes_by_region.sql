-- 巡视巡察成效的分区划汇总（§10 rpt_outcomes）：全部有效巡视巡察及其有效问题、线索，
-- 按被巡察单位所属区划 × 进驻年度汇总。读核心事实表（fct_），不读 staging。
with

inspections as (
    select
        unit_region_code as region_code,
        entry_year,
        count(*) as inspections
    from {{ ref('fct_inspection') }}
    group by unit_region_code, entry_year
),

problems as (
    select
        unit_region_code as region_code,
        entry_year,
        count(*) as problems_found,
        count(*) filter (where is_immediate) as immediate,
        count(*) filter (where is_immediate and status = '已完成') as immediate_completed,
        count(*) filter (where is_immediate and problem_category = '群众身边问题') as immediate_livelihood,
        count(*) filter (where is_common) as common_flagged,
        -- 万元按 4 位小数定点求和，避免浮点求和顺序带来的尾差（空为 0）
        sum(cast(coalesce(recovered_loss_wan, 0) as decimal(18, 4))) as recovered_loss_10k,
        sum(coalesce(rules_established, 0)) as institutions
    from {{ ref('fct_problem') }}
    group by unit_region_code, entry_year
),

clues as (
    select
        unit_region_code as region_code,
        entry_year,
        count(*) as clues,
        count(*) filter (where case_filed) as cases_filed,
        sum(coalesce(disciplined_count, 0)) as punished
    from {{ ref('fct_clue') }}
    group by unit_region_code, entry_year
),

keys as (
    select
        region_code,
        entry_year
    from inspections
    union
    select
        region_code,
        entry_year
    from problems
    union
    select
        region_code,
        entry_year
    from clues
),

aggregated as (
    select
        k.region_code,
        k.entry_year,
        coalesce(i.inspections, 0) as inspections,
        coalesce(p.problems_found, 0) as problems_found,
        coalesce(p.immediate, 0) as immediate,
        coalesce(p.immediate_completed, 0) as immediate_completed,
        coalesce(p.immediate_livelihood, 0) as immediate_livelihood,
        coalesce(p.common_flagged, 0) as common_flagged,
        coalesce(p.recovered_loss_10k, 0) as recovered_loss_10k,
        coalesce(p.institutions, 0) as institutions,
        coalesce(c.clues, 0) as clues,
        coalesce(c.cases_filed, 0) as cases_filed,
        coalesce(c.punished, 0) as punished
    from keys as k
    left join inspections as i
        on k.region_code = i.region_code and k.entry_year = i.entry_year
    left join problems as p
        on k.region_code = p.region_code and k.entry_year = p.entry_year
    left join clues as c
        on k.region_code = c.region_code and k.entry_year = c.entry_year
)

select * from aggregated
