-- 整改进展（领导统计表“整改进展”）：各市、省本级、全省 × 期间的整改状态，
-- 以及未完成整改问题按整改时限的分布（以统计截止日期 var as_of 为基准），读取 fct_problem。
with

spine as (
    {{ report_scope_spine() }}
),

problems as (
    select
        unit_city_code,
        unit_province_code,
        entry_year,
        status,
        deadline,
        is_overdue
    from {{ ref('fct_problem') }}
),

counts as (
    select
        scope_code,
        scope_kind,
        period,
        {{ problem_status_counts() }},
        count(*) filter (where status <> '已完成') as open_problems,
        count(*) filter (where is_overdue) as overdue,
        {{ open_problem_deadline_counts() }}
    from ({{ report_scope_fanout('problems') }}) as x
    group by scope_code, scope_kind, period
),

final as (
    select
        sp.scope_code,
        sp.scope_kind,
        sp.scope_name,
        sp.period,
        {{ counts_as_bigint('c', ['found', 'completed', 'in_progress', 'not_started', 'long_term']) }},
        cast(c.completed as double) / nullif(c.found, 0) as completion_rate,
        {{ counts_as_bigint('c', ['open_problems', 'overdue', 'due_soon', 'due_later', 'no_deadline']) }}
    from spine as sp
    left join counts as c
        on sp.scope_code = c.scope_code and sp.scope_kind = c.scope_kind and sp.period = c.period
    order by sp.scope_order asc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
