-- 有效问题（通过 R1–R6）一行一个：自然键 (submitter_code, problem_code)
with

problems as (
    select * from {{ ref('int_problems_joined') }}
),

final as (
    select
        {{ ledger_key_columns('problem') }},
        problem_category,
        description,
        is_common,
        is_immediate,
        status,
        deadline,
        completed_date,
        coalesce(status <> '已完成' and deadline < {{ as_of_date() }}, false) as is_overdue,
        recovered_loss_wan,
        rules_established,
        {{ ledger_inspection_columns() }}
    from problems
    where is_valid
)

select * from final
