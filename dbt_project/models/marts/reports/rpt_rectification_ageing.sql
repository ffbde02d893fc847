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
        cast(coalesce(c.found, 0) as bigint) as found,
        cast(coalesce(c.completed, 0) as bigint) as completed,
        cast(coalesce(c.in_progress, 0) as bigint) as in_progress,
        cast(coalesce(c.not_started, 0) as bigint) as not_started,
        cast(coalesce(c.long_term, 0) as bigint) as long_term,
        cast(c.completed as double) / nullif(c.found, 0) as completion_rate,
        cast(coalesce(c.open_problems, 0) as bigint) as open_problems,
        cast(coalesce(c.overdue, 0) as bigint) as overdue,
        cast(coalesce(c.due_soon, 0) as bigint) as due_soon,
        cast(coalesce(c.due_later, 0) as bigint) as due_later,
        cast(coalesce(c.no_deadline, 0) as bigint) as no_deadline
    from spine as sp
    left join counts as c
        on sp.scope_code = c.scope_code and sp.scope_kind = c.scope_kind and sp.period = c.period
    order by sp.scope_order asc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
)

select * from final
