-- 隔离行（§8、§9）：入库阶段 R1–R3（当前文件版本）∪ dbt 阶段 R4–R8，每行一条记录
with

unioned as (
    {%- for model in ['stg_raw__quarantine', 'int_quarantine_rows_flagged'] %}
    select
        file_path,
        sheet,
        cast(row_number as integer) as row_number,
        column_name,
        value,
        rule,
        message
    from {{ ref(model) }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from unioned
    order by file_path, sheet, row_number, rule
)

select * from final
