{#- 台账计数的共同口径：报表与 B3 核对用的分区划汇总共用，改口径只改这里。 -#}

{#- 问题按整改状态计数（found = 全部问题） -#}
{% macro problem_status_counts() -%}
        count(*) as found,
        count(*) filter (where status = '已完成') as completed,
        count(*) filter (where status = '整改中') as in_progress,
        count(*) filter (where status = '未整改') as not_started,
        count(*) filter (where status = '长期坚持') as long_term
{%- endmacro %}

{#- 未完成整改的问题按整改时限距统计截止日期（var as_of）的远近计数：10 天内到期、更晚、未填时限 -#}
{% macro open_problem_deadline_counts() -%}
        count(*) filter (
            where
            status <> '已完成'
            and deadline >= {{ as_of_date() }}
            and deadline <= {{ as_of_date() }} + 10
        ) as due_soon,
        count(*) filter (where status <> '已完成' and deadline > {{ as_of_date() }} + 10) as due_later,
        count(*) filter (where status <> '已完成' and deadline is null) as no_deadline
{%- endmacro %}

{#- 问题线索按处置方式计数（处置方式为空计“待处置”） -#}
{% macro clue_disposal_counts() -%}
        count(*) filter (where disposal = '谈话函询') as disposal_talk,
        count(*) filter (where disposal = '初步核实') as disposal_verify,
        count(*) filter (where disposal = '暂存待查') as disposal_hold,
        count(*) filter (where disposal = '予以了结') as disposal_closed,
        count(*) filter (where disposal = '立案审查调查') as disposal_investigate,
        count(*) filter (where disposal is null) as disposal_pending
{%- endmacro %}

{#- 共性问题自查义务的回应与自查成果计数（自查数为空按 0 计） -#}
{% macro obligation_counts() -%}
        count(*) as units_in_scope,
        count(*) filter (where is_answered) as units_reported,
        count(*) filter (where is_answered_on_time) as units_reported_on_time,
        count(*) filter (where is_overdue_unanswered) as units_overdue,
        count(*) filter (where has_similar) as units_with_problem,
        sum(coalesce(problems_found, 0)) as problems_found,
        sum(coalesce(measures, 0)) as measures,
        sum(coalesce(completed, 0)) as completed,
        sum(coalesce(institutions, 0)) as institutions,
        sum(coalesce(cases, 0)) as cases
{%- endmacro %}

{#- 每次巡视巡察的有效线索数、其中县管干部线索数、立案数与处分人数（按 inspection_key） -#}
{% macro clues_per_inspection() -%}
    select
        inspection_key,
        count(*) as clues,
        count(*) filter (where cadre_level = '县管干部') as county_cadre_clues,
        count(*) filter (where case_filed) as cases_filed,
        sum(coalesce(disciplined_count, 0)) as people_disciplined
    from {{ ref('fct_clue') }}
    group by inspection_key
{%- endmacro %}

{#-
  inspections（含 inspection_key 的巡视巡察行）的每行及其有效问题、线索的计数（没有的记 0）：
  发现问题数、已完成整改数与 clues_per_inspection 的各数。
-#}
{% macro with_ledger_counts(inspections) -%}
    select
        i.*,
        {{ zero_if_missing('p', ['problems_found', 'problems_rectified']) }},
        {{ zero_if_missing('c', ['clues', 'county_cadre_clues', 'cases_filed', 'people_disciplined']) }}
    from {{ inspections }} as i
    left join (
        select
            inspection_key,
            count(*) as problems_found,
            count(*) filter (where status = '已完成') as problems_rectified
        from {{ ref('fct_problem') }}
        group by inspection_key
    ) as p on i.inspection_key = p.inspection_key
    left join (
        {{ clues_per_inspection() }}
    ) as c on i.inspection_key = c.inspection_key
{%- endmacro %}

{#-
  线索产出报表（rpt_clue_yield、rpt_clue_yield_by_mode）的结果：骨架 spine × 分组 partitions（别名 alias，
  分组列 key，行序列 order_column）左连接 by_period（scope_period_rollup 的结果），
  巡视巡察数、线索数、县管干部线索数（缺的记 0）及每次巡视巡察的人均数。
-#}
{% macro clue_yield_by_partition(partitions, alias, key, order_column) -%}
    select
        {{ spine_columns() }},
        {{ alias }}.{{ key }},
        {{ counts_as_bigint('bp', ['inspections', 'clues', 'county_cadre_clues']) }},
        cast(bp.clues as double) / nullif(bp.inspections, 0) as clues_per_inspection,
        cast(bp.county_cadre_clues as double) / nullif(bp.inspections, 0)
            as county_cadre_clues_per_inspection
    from spine as sp
    cross join {{ partitions }} as {{ alias }}
    {{ spine_left_join('by_period', 'bp', [alias ~ '.' ~ key]) }}
    order by {{ spine_order() }}, {{ alias }}.{{ order_column }} asc
{%- endmacro %}

{#- 自查义务的报表列：obligation_counts 的各计数（缺的记 0）及覆盖率、整改完成率（alias 为汇总别名） -#}
{% macro obligation_columns(alias) -%}
        {{ counts_as_bigint(alias, [
            'units_in_scope', 'units_reported', 'units_reported_on_time', 'units_overdue',
            'units_with_problem', 'problems_found', 'measures', 'completed', 'institutions', 'cases'
        ]) }},
        cast({{ alias }}.units_reported as double) / nullif({{ alias }}.units_in_scope, 0) as coverage_rate,
        cast({{ alias }}.completed as double) / nullif({{ alias }}.problems_found, 0) as completion_rate
{%- endmacro %}

{#- 问题线索的成果计数：线索数、其中县管干部、按处置方式、立案数、处分人数（领导报表与其 B3 核对共用） -#}
{% macro clue_outcome_counts() -%}
        count(*) as clues,
        count(*) filter (where cadre_level = '县管干部') as county_cadre_clues,
        {{ clue_disposal_counts() }},
        count(*) filter (where case_filed) as cases_filed,
        coalesce(sum(disciplined_count), 0) as disciplined
{%- endmacro %}

{#- 隔离行按规则计数：rules 中每条规则一列 quarantined_r1 … -#}
{% macro quarantine_rule_counts(rules) -%}
    {%- for rule in rules %}
        count(*) filter (where rule = '{{ rule }}') as quarantined_{{ rule | lower }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
