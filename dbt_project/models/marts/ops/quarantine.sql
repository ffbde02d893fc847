-- 隔离行（§8、§9）：入库阶段 R1–R3（当前文件版本）∪ dbt 阶段 R4–R8，每行一条记录
with

ingest_rows as (
    select
        file_path,
        sheet,
        row_number,
        column_name,
        value,
        rule,
        message
    from {{ ref('stg_raw__quarantine') }}
),

warehouse_rows as (
    select
        file_path,
        sheet,
        row_number,
        column_name,
        value,
        rule,
        message
    from {{ ref('int_quarantine_rows_flagged') }}
),

unioned as (
    select * from ingest_rows
    union all
    select * from warehouse_rows
),

final as (
    select
        file_path,
        sheet,
        cast(row_number as integer) as row_number,
        column_name,
        value,
        rule,
        message
    from unioned
    order by file_path, sheet, row_number, rule
)

select * from final
