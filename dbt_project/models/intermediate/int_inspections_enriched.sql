-- 巡视巡察安排（T1 当前行）补充被巡察单位、区划、组织单位层级和巡察方式标志
with

inspections as (
    select * from {{ ref('stg_raw__inspections') }}
),

units as (
    select * from {{ ref('stg_raw__units') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

enriched as (
    select
        concat_ws('|', i.organiser_code, i.term, i.round, i.unit_code) as inspection_key,
        i.organiser_code,
        org.region_name as organiser_name,
        org.region_level as organiser_level,
        i.term,
        i.round,
        i.batch,
        i.team_name,
        i.unit_code,
        u.unit_name,
        u.unit_category,
        u.management_level,
        u.region_code as unit_region_code,
        ur.region_level as unit_region_level,
        ur.city_code as unit_city_code,
        ur.province_code as unit_province_code,
        i.modes,
        list_contains(i.modes, '常规') as is_regular,
        list_contains(i.modes, '专项') as is_special,
        list_contains(i.modes, '提级') as is_elevated,
        list_contains(i.modes, '交叉') as is_cross,
        list_contains(i.modes, '回头看') as is_revisit,
        list_contains(i.modes, '机动') as is_mobile,
        list_contains(i.modes, '对村（社区）') as is_village,
        i.team_origin_codes,
        -- 派出区划为空即组织单位本身派出（§5 T1）
        case
            when len(i.team_origin_codes) = 0 then [i.organiser_code]
            else i.team_origin_codes
        end as effective_team_origin_codes,
        i.topic,
        i.deployment_code,
        i.entry_date,
        i.feedback_date,
        year(i.entry_date) as entry_year,
        i.team_formation,
        i.file_path,
        i.file_sha256,
        i.sheet,
        i.row_number,
        i.submitter_code,
        i.submission_date
    from inspections as i
    left join units as u on i.unit_code = u.unit_code
    left join regions as ur on u.region_code = ur.region_code
    left join regions as org on i.organiser_code = org.region_code
)

select * from enriched
