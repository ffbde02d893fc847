-- 整改进展（领导统计表“整改进展”）：各市、省本级、全省 × 期间的整改状态，
-- 以及未完成整改问题按整改时限的分布（以统计截止日期 var as_of 为基准），读取 fct_problem。
with

spine as (
    {{ report_scope_spine() }}
),

problems as (
    select * from {{ ref('fct_problem') }}
),

counts as (
    {% call report_scope_counts('problems') %}
    {{ problem_status_counts() }},
    count(*) filter (where status <> '已完成') as open_problems,
    count(*) filter (where is_overdue) as overdue,
    {{ open_problem_deadline_counts() }}
    {% endcall %}
),

final as (
    select
        {{ spine_columns(['scope_code', 'scope_kind', 'scope_name', 'period']) }},
        {{ counts_as_bigint('c', ['found', 'completed', 'in_progress', 'not_started', 'long_term']) }},
        cast(c.completed as double) / nullif(c.found, 0) as completion_rate,
        {{ counts_as_bigint('c', ['open_problems', 'overdue', 'due_soon', 'due_later', 'no_deadline']) }}
    from spine as sp
    {{ spine_left_join('counts', 'c', ['sp.scope_kind']) }}
    order by {{ report_scope_order() }}
)

select * from final
