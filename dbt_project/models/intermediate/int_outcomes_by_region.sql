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

aggregated as (
    {{ merge_by_region_year([
        ['inspections', ['inspections']],
        ['problems', [
            'problems_found', 'immediate', 'immediate_completed', 'immediate_livelihood', 'common_flagged',
            'recovered_loss_10k', 'institutions'
        ]],
        ['clues', ['clues', 'cases_filed', 'punished']],
    ], null_safe=false) }}
)

select * from aggregated
