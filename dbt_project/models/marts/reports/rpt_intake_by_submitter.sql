-- 报送与隔离情况（领导统计表“数据质量说明”和简报）：每个报送单位一行（无法确定报送单位的文件另成一行），
-- 另有一行合计（is_total）。读取 ingest_files、quarantine、dim_region。
{% set rules = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'] %}
{%- set file_columns = ['files', 'rejected', 'rows_loaded'] %}
{%- set row_columns = ['quarantined'] %}
{%- for rule in rules %}{% do row_columns.append('quarantined_' ~ rule | lower) %}{% endfor %}

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
        {{ quarantine_rule_counts(rules) }}
    from quarantined
    group by submitter_code
),

per_submitter as (
    select
        coalesce(f.submitter_code, q.submitter_code) as submitter_code,
        false as is_total,
        {{ zero_if_missing('f', file_columns) }},
        {{ zero_if_missing('q', row_columns) }}
    from file_counts as f
    full outer join row_counts as q on f.submitter_code is not distinct from q.submitter_code
),

with_total as (
    select * from per_submitter
    union all
    select
        null as submitter_code,
        true as is_total,
        {{ sums(file_columns + row_columns) }}
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
        {{ counts_as_bigint('w', file_columns + row_columns, missing_as_zero=false) }}
    from with_total as w
    left join regions as r on w.submitter_code = r.region_code
    order by w.is_total asc, w.submitter_code asc nulls last
)

select * from final
