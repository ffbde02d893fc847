-- dbt 阶段的行级隔离（R4–R8，§8）：每行一条记录，记第一条命中的规则
with

inspections as (
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        'T1' as template,
        submitter_code,
        quarantine_column as column_name,
        quarantine_value as value,
        quarantine_rule as rule,
        quarantine_message as message
    from {{ ref('int_inspections_validated') }}
    where not is_valid
),

problems as (
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        'T2' as template,
        submitter_code,
        quarantine_column as column_name,
        quarantine_value as value,
        quarantine_rule as rule,
        quarantine_message as message
    from {{ ref('int_problems_joined') }}
    where not is_valid
),

clues as (
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        'T3' as template,
        submitter_code,
        quarantine_column as column_name,
        quarantine_value as value,
        quarantine_rule as rule,
        quarantine_message as message
    from {{ ref('int_clues_joined') }}
    where not is_valid
),

self_checks as (
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        'T8' as template,
        submitter_code,
        quarantine_column as column_name,
        quarantine_value as value,
        quarantine_rule as rule,
        quarantine_message as message
    from {{ ref('int_self_checks_validated') }}
    where not is_valid
),

unioned as (
    select * from inspections
    union all
    select * from problems
    union all
    select * from clues
    union all
    select * from self_checks
)

select * from unioned
