-- 报送完整性（W2）：每个区划 × 数据年度一行，是否报送、首末报送日期。
-- 数据年度：T1 为进驻年度；T2、T3 为所属巡视巡察的进驻年度（孤立行无年度，不计）；
-- T4 为统计年度。T5 登记年度常在次年，不作为报送年度。
-- 报送 = 该区划作为填报单位有当前行（含被 R4–R6 隔离的行）；首末报送日期取填报日期（未填为空）。
-- 年度 = 任一区划有报送的年度；missing_submission（W2）= 该年度有其他区划报送而本区划没有。
with

regions as (
    select * from {{ ref('dim_region') }}
),

submitted_rows as (
    select * from {{ ref('fct_submission_row') }}
),

dated as (
    select
        s.submitter_code,
        s.data_year,
        s.file_path,
        s.submission_date as submitted_on
    from submitted_rows as s
    where s.data_year is not null
),

per_region_year as (
    select
        submitter_code as region_code,
        data_year,
        count(distinct file_path) as files,
        count(*) as detail_rows,
        min(submitted_on) as first_submission_date,
        max(submitted_on) as last_submission_date
    from dated
    group by submitter_code, data_year
),

years as (
    select distinct data_year from per_region_year
),

final as (
    select
        r.region_code,
        r.region_name,
        r.region_level,
        cast(y.data_year as integer) as year,
        p.region_code is not null as submitted,
        cast(coalesce(p.files, 0) as bigint) as files,
        cast(coalesce(p.detail_rows, 0) as bigint) as detail_rows,
        p.first_submission_date,
        p.last_submission_date,
        p.region_code is null as missing_submission
    from regions as r
    cross join years as y
    left join per_region_year as p
        on
            r.region_code = p.region_code
            and y.data_year = p.data_year
    order by {{ region_level_rank('r.region_level') }}, r.region_code, y.data_year
)

select * from final
