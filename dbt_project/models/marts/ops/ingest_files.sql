-- 文件清单（§9）：raw_ingest_files，隔离行数加上 dbt 阶段隔离（R4–R8）的行数；
-- 入库行数相应减去这些行，使 rows_loaded + rows_quarantined 仍等于文件的明细行数。
with

files as (
    select * from {{ ref('stg_raw__ingest_files') }}
),

flagged as (
    select
        file_path,
        file_sha256,
        count(*) as rows_flagged
    from {{ ref('int_quarantine_rows_flagged') }}
    group by file_path, file_sha256
),

final as (
    select
        f.file_path,
        f.file_sha256,
        f.submitter_code,
        f.status,
        f.rule,
        f.message,
        cast(f.rows_loaded - coalesce(q.rows_flagged, 0) as integer) as rows_loaded,
        cast(f.rows_quarantined + coalesce(q.rows_flagged, 0) as integer) as rows_quarantined
    from files as f
    left join flagged as q
        on
            f.file_path = q.file_path
            and f.file_sha256 = q.file_sha256
    order by f.file_path
)

select * from final
