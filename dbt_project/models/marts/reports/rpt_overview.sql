-- 总体情况（领导统计表“总体情况”“线索处置”和简报的数字来源）：
-- 各市、省本级、全省 × 期间（“全部”和每个进驻年度），读取核心事实表 fct_inspection、fct_problem、fct_clue。
with

spine as (
    {{ report_scope_spine() }}
),

inspections as (
    select
        unit_city_code,
        unit_province_code,
        entry_year
    from {{ ref('fct_inspection') }}
),

problems as (
    select
        unit_city_code,
        unit_province_code,
        entry_year,
        status,
        is_overdue
    from {{ ref('fct_problem') }}
),

clues as (
    select
        unit_city_code,
        unit_province_code,
        entry_year,
        cadre_level,
        disposal,
        case_filed,
        disciplined_count
    from {{ ref('fct_clue') }}
),

inspection_counts as (
    select
        scope_code,
        scope_kind,
        period,
        count(*) as inspections
    from ({{ report_scope_fanout('inspections') }}) as x
    group by scope_code, scope_kind, period
),

problem_counts as (
    select
        scope_code,
        scope_kind,
        period,
        {{ problem_status_counts() }},
        count(*) filter (where is_overdue) as overdue
    from ({{ report_scope_fanout('problems') }}) as x
    group by scope_code, scope_kind, period
),

clue_counts as (
    select
        scope_code,
        scope_kind,
        period,
        count(*) as clues,
        count(*) filter (where cadre_level = '县管干部') as county_cadre_clues,
        {{ clue_disposal_counts() }},
        count(*) filter (where case_filed) as cases_filed,
        coalesce(sum(disciplined_count), 0) as disciplined
    from ({{ report_scope_fanout('clues') }}) as x
    group by scope_code, scope_kind, period
),

final as (
    select
        sp.scope_code,
        sp.scope_kind,
        sp.scope_name,
        sp.period,
        cast(coalesce(i.inspections, 0) as bigint) as inspections,
        -- 逐列写出（不用 counts_as_bigint）：tests/test_gate.py 按这几行文本改坏 found、completed 来验证 B2/B3
        cast(coalesce(p.found, 0) as bigint) as found,
        cast(coalesce(p.completed, 0) as bigint) as completed,
        cast(coalesce(p.in_progress, 0) as bigint) as in_progress,
        cast(coalesce(p.not_started, 0) as bigint) as not_started,
        cast(coalesce(p.long_term, 0) as bigint) as long_term,
        cast(coalesce(p.overdue, 0) as bigint) as overdue,
        cast(p.completed as double) / nullif(p.found, 0) as completion_rate,
        {{ counts_as_bigint('c', [
            'clues', 'county_cadre_clues', 'disposal_talk', 'disposal_verify', 'disposal_hold',
            'disposal_closed', 'disposal_investigate', 'disposal_pending', 'cases_filed'
        ]) }},
        cast(c.cases_filed as double) / nullif(c.clues, 0) as case_rate,
        cast(coalesce(c.disciplined, 0) as bigint) as disciplined
    from spine as sp
    left join inspection_counts as i
        on sp.scope_code = i.scope_code and sp.scope_kind = i.scope_kind and sp.period = i.period
    left join problem_counts as p
        on sp.scope_code = p.scope_code and sp.scope_kind = p.scope_kind and sp.period = p.period
    left join clue_counts as c
        on sp.scope_code = c.scope_code and sp.scope_kind = c.scope_kind and sp.period = c.period
    order by sp.scope_order asc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
