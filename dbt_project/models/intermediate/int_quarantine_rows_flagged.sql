-- dbt 阶段的行级隔离（R4–R8，§8）：每行一条记录，记第一条命中的规则
{%- set validated = [
    ('int_inspections_validated', 'T1'),
    ('int_problems_joined', 'T2'),
    ('int_clues_joined', 'T3'),
    ('int_self_checks_validated', 'T8'),
] %}
with

unioned as (
    {%- for model, template in validated %}
    select
        file_path,
        file_sha256,
        sheet,
        row_number,
        '{{ template }}' as template,
        submitter_code,
        quarantine_column as column_name,
        quarantine_value as value,
        quarantine_rule as rule,
        quarantine_message as message
    from {{ ref(model) }}
    where not is_valid
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
