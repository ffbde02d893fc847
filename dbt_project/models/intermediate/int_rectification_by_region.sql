-- 问题整改的分区划汇总（口径见 §6 Rectification）：全部有效巡视巡察的有效问题，
-- 按被巡察单位所属区划 × 进驻年度汇总；逾期按 var('as_of') 判断。
with

problems as (
    select * from {{ ref('int_problems_joined') }}
    where is_valid
),

aggregated as (
    select
        unit_region_code as region_code,
        entry_year,
        count(*) as found,
        count(*) filter (where status = '已完成') as completed,
        count(*) filter (where status = '整改中') as in_progress,
        count(*) filter (where status = '未整改') as not_started,
        count(*) filter (where status = '长期坚持') as long_term,
        count(*) filter (
            where status <> '已完成' and deadline < {{ as_of_date() }}
        ) as overdue
    from problems
    group by unit_region_code, entry_year
)

select * from aggregated
