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

{#- 每次巡视巡察的有效线索数与其中县管干部线索数（按 inspection_key） -#}
{% macro clues_per_inspection() -%}
    select
        inspection_key,
        count(*) as clues,
        count(*) filter (where cadre_level = '县管干部') as county_cadre_clues
    from {{ ref('fct_clue') }}
    group by inspection_key
{%- endmacro %}
