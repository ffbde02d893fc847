-- 领导报表数字的分区划汇总（B3 核对 rpt_overview、rpt_rectification_ageing 的依据）：
-- 有效巡视巡察、有效问题、有效线索按被巡察单位所属区划 × 进驻年度汇总，口径与报表相同，
-- 但独立于报表直接由关联后的明细计算，报表的全省数、省本级数与之核对。
with

inspections as (
    {% call region_year_counts(ref('int_inspections_validated'), 'is_valid') %}
    count(*) as inspections
    {% endcall %}
),

problems as (
    {% call region_year_counts(ref('int_problems_joined'), 'is_valid') %}
    {{ problem_status_counts() }},
    count(*) filter (where status <> '已完成') as open_problems,
    count(*) filter (where status <> '已完成' and deadline < {{ as_of_date() }}) as overdue,
    {{ open_problem_deadline_counts() }}
    {% endcall %}
),

clues as (
    {% call region_year_counts(ref('int_clues_joined'), 'is_valid') %}
    {{ clue_outcome_counts() }}
    {% endcall %}
),

final as (
    {{ merge_by_region_year([
        ['inspections', ['inspections']],
        ['problems', [
            'found', 'completed', 'in_progress', 'not_started', 'long_term', 'open_problems', 'overdue',
            'due_soon', 'due_later', 'no_deadline'
        ]],
        ['clues', [
            'clues', 'county_cadre_clues', 'disposal_talk', 'disposal_verify', 'disposal_hold', 'disposal_closed',
            'disposal_investigate', 'disposal_pending', 'cases_filed', 'disciplined'
        ]],
    ]) }}
)

select * from final
