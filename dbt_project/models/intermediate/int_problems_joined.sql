-- 问题（T2 当前行）按 §6 跨层级关联到巡视巡察：
-- 键 (coalesce(组织单位, 填报单位), 届次, 轮次, 被巡察单位)。
-- 找不到有效巡视巡察的为孤立问题（R5）；完成日期早于进驻日期的为 R6。
with

problems as (
    select * from {{ ref('stg_raw__problems') }}
),

inspections as (
    select * from {{ ref('int_inspections_validated') }}
),

keyed as (
    select
        * rename (organiser_code as organiser_code_reported),
        -- 组织单位为空即填报单位（§6）
        coalesce(organiser_code, submitter_code) as organiser_code
    from problems
),

joined as (
    select
        p.*,
        concat_ws('|', p.organiser_code, p.term, p.round, p.unit_code) as inspection_key,
        v.is_valid as inspection_is_valid,
        v.quarantine_rule as inspection_quarantine_rule,
        v.entry_date,
        v.entry_year,
        v.organiser_level,
        v.management_level,
        v.unit_region_code,
        v.unit_city_code,
        v.unit_province_code,
        v.is_cross,
        v.is_village,
        v.deployment_code
    from keyed as p
    left join inspections as v
        on
            p.organiser_code = v.organiser_code
            and p.term = v.term
            and p.round = v.round
            and p.unit_code = v.unit_code
),

checked as (
    select
        *,
        -- R5：没有对应的有效巡视巡察（含对应安排本身已被隔离）
        coalesce(not inspection_is_valid, true) as fails_r5,
        coalesce(completed_date < entry_date, false) as fails_r6
    from joined
),

flagged as (
    select
        * exclude (fails_r5, fails_r6),
        case
            when fails_r5 then 'R5'
            when fails_r6 then 'R6'
        end as quarantine_rule,
        case
            when fails_r5 then '被巡察单位'
            when fails_r6 then '完成日期'
        end as quarantine_column,
        case
            when fails_r5 then unit_code
            when fails_r6 then strftime(completed_date, '%Y-%m-%d')
        end as quarantine_value,
        case
            when fails_r5
                then
                    '孤立问题：组织单位' || organiser_code || '第' || term || '届第' || round
                    || '轮对被巡察单位' || unit_code
                    || case
                        when inspection_quarantine_rule is not null
                            then '的巡视巡察安排已被隔离（' || inspection_quarantine_rule || '）'
                        else '的巡视巡察安排不存在'
                    end
            when fails_r6
                then
                    '完成日期（' || strftime(completed_date, '%Y-%m-%d')
                    || '）早于该次巡视巡察的进驻日期（' || strftime(entry_date, '%Y-%m-%d') || '）'
        end as quarantine_message
    from checked
),

final as (
    select
        *,
        quarantine_rule is null as is_valid
    from flagged
)

select * from final
