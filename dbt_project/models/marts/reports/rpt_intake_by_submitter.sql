-- 报送与隔离情况（领导统计表“数据质量说明”和简报）：每个报送单位一行（无法确定报送单位的文件另成一行），
-- 另有一行合计（is_total）。读取 ingest_files、quarantine、dim_region。
with

files as (
    select * from {{ ref('ingest_files') }}
),

quarantined as (
    select
        f.submitter_code,
        q.rule
    from {{ ref('quarantine') }} as q
    left join files as f on q.file_path = f.file_path
),

regions as (
    select * from {{ ref('dim_region') }}
),

file_counts as (
    select
        submitter_code,
        count(*) as files,
        count(*) filter (where rule is not null) as rejected,
        coalesce(sum(rows_loaded), 0) as rows_loaded
    from files
    group by submitter_code
),

row_counts as (
    select
        submitter_code,
        count(*) as quarantined,
        count(*) filter (where rule = 'R1') as quarantined_r1,
        count(*) filter (where rule = 'R2') as quarantined_r2,
        count(*) filter (where rule = 'R3') as quarantined_r3,
        count(*) filter (where rule = 'R4') as quarantined_r4,
        count(*) filter (where rule = 'R5') as quarantined_r5,
        count(*) filter (where rule = 'R6') as quarantined_r6,
        count(*) filter (where rule = 'R7') as quarantined_r7,
        count(*) filter (where rule = 'R8') as quarantined_r8
    from quarantined
    group by submitter_code
),

per_submitter as (
    select
        coalesce(f.submitter_code, q.submitter_code) as submitter_code,
        false as is_total,
        coalesce(f.files, 0) as files,
        coalesce(f.rejected, 0) as rejected,
        coalesce(f.rows_loaded, 0) as rows_loaded,
        coalesce(q.quarantined, 0) as quarantined,
        coalesce(q.quarantined_r1, 0) as quarantined_r1,
        coalesce(q.quarantined_r2, 0) as quarantined_r2,
        coalesce(q.quarantined_r3, 0) as quarantined_r3,
        coalesce(q.quarantined_r4, 0) as quarantined_r4,
        coalesce(q.quarantined_r5, 0) as quarantined_r5,
        coalesce(q.quarantined_r6, 0) as quarantined_r6,
        coalesce(q.quarantined_r7, 0) as quarantined_r7,
        coalesce(q.quarantined_r8, 0) as quarantined_r8
    from file_counts as f
    full outer join row_counts as q on f.submitter_code is not distinct from q.submitter_code
),

with_total as (
    select * from per_submitter
    union all
    select
        null as submitter_code,
        true as is_total,
        sum(files) as files,
        sum(rejected) as rejected,
        sum(rows_loaded) as rows_loaded,
        sum(quarantined) as quarantined,
        sum(quarantined_r1) as quarantined_r1,
        sum(quarantined_r2) as quarantined_r2,
        sum(quarantined_r3) as quarantined_r3,
        sum(quarantined_r4) as quarantined_r4,
        sum(quarantined_r5) as quarantined_r5,
        sum(quarantined_r6) as quarantined_r6,
        sum(quarantined_r7) as quarantined_r7,
        sum(quarantined_r8) as quarantined_r8
    from per_submitter
),

final as (
    select
        w.submitter_code,
        case
            when w.is_total then '合计'
            else coalesce(r.region_name, '无法确定报送单位')
        end as submitter_name,
        w.is_total,
        cast(w.files as bigint) as files,
        cast(w.rejected as bigint) as rejected,
        cast(w.rows_loaded as bigint) as rows_loaded,
        cast(w.quarantined as bigint) as quarantined,
        cast(w.quarantined_r1 as bigint) as quarantined_r1,
        cast(w.quarantined_r2 as bigint) as quarantined_r2,
        cast(w.quarantined_r3 as bigint) as quarantined_r3,
        cast(w.quarantined_r4 as bigint) as quarantined_r4,
        cast(w.quarantined_r5 as bigint) as quarantined_r5,
        cast(w.quarantined_r6 as bigint) as quarantined_r6,
        cast(w.quarantined_r7 as bigint) as quarantined_r7,
        cast(w.quarantined_r8 as bigint) as quarantined_r8
    from with_total as w
    left join regions as r on w.submitter_code = r.region_code
    order by w.is_total asc, w.submitter_code asc nulls last
)

select * from final
