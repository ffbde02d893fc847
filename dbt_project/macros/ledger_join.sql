{#-
  §6 跨层级关联与 R5、R6（§8），问题台账（T2）和问题线索台账（T3）共用的唯一实现：
  键 (coalesce(组织单位, 填报单位), 届次, 轮次, 被巡察单位) 关联到巡视巡察（int_inspections_validated）；
  找不到有效巡视巡察（含对应安排本身已被 R4/R6 隔离）的为孤立（R5）；
  r6_date 早于 r6_reference 的为 R6。每行只记第一条命中的规则（R5 < R6）。
  ledger              台账的 staging 模型（当前行）
  orphan_label        孤立行的称呼（问题 / 线索），用于 R5 说明
  r6_date             R6 检查的日期列，r6_date_label 为其模板列名
  r6_reference        R6 比较的日期列（巡视巡察的 entry_date 或台账本身的列），
                      r6_reference_label 为说明中的称呼
-#}
{% macro ledger_joined_to_inspections(
    ledger, orphan_label, r6_date, r6_date_label, r6_reference, r6_reference_label
) -%}
with

ledger as (
    select * from {{ ledger }}
),

inspections as (
    select * from {{ ref('int_inspections_validated') }}
),

keyed as (
    select
        * rename (organiser_code as organiser_code_reported),
        -- 组织单位为空即填报单位（§6）
        coalesce(organiser_code, submitter_code) as organiser_code
    from ledger
),

joined as (
    select
        l.*,
        concat_ws('|', l.organiser_code, l.term, l.round, l.unit_code) as inspection_key,
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
    from keyed as l
    left join inspections as v
        on
            l.organiser_code = v.organiser_code
            and l.term = v.term
            and l.round = v.round
            and l.unit_code = v.unit_code
),

checked as (
    select
        *,
        -- R5：没有对应的有效巡视巡察（含对应安排本身已被隔离）
        coalesce(not inspection_is_valid, true) as fails_r5,
        coalesce({{ r6_date }} < {{ r6_reference }}, false) as fails_r6
    from joined
),

{%- set r5_message %}
'孤立{{ orphan_label }}：组织单位' || organiser_code || '第' || term || '届第' || round
|| '轮对被巡察单位' || unit_code
|| case
    when inspection_quarantine_rule is not null
        then '的巡视巡察安排已被隔离（' || inspection_quarantine_rule || '）'
    else '的巡视巡察安排不存在'
end
{%- endset %}
{%- set r6_message %}
'{{ r6_date_label }}（' || strftime({{ r6_date }}, '%Y-%m-%d')
|| '）早于{{ r6_reference_label }}（' || strftime({{ r6_reference }}, '%Y-%m-%d') || '）'
{%- endset %}

flagged as (
    select
        {{ first_failing_rule([
            {'when': 'fails_r5', 'rule': 'R5', 'column': '被巡察单位', 'value': 'unit_code', 'message': r5_message},
            {'when': 'fails_r6', 'rule': 'R6', 'column': r6_date_label,
             'value': "strftime(" ~ r6_date ~ ", '%Y-%m-%d')", 'message': r6_message},
        ]) }}
    from checked
),

final as (
    {{ rows_with_validity('flagged') }}
)

select * from final
{%- endmacro %}

{#-
  台账事实表（fct_problem、fct_clue）共有的列，取自 ledger_joined_to_inspections 的结果：
  ledger_key_columns 为事实表的键（{entity}_key = 填报单位|编号）、§6 关联键及组织单位，
  entity 为 problem 或 clue；ledger_inspection_columns 为所属巡视巡察的属性与血缘列。
-#}
{% macro ledger_key_columns(entity) -%}
        concat_ws('|', submitter_code, {{ entity }}_code) as {{ entity }}_key,
        submitter_code,
        {{ entity }}_code,
        inspection_key,
        organiser_code,
        organiser_code_reported,
        organiser_level,
        term,
        round,
        unit_code
{%- endmacro %}

{% macro ledger_inspection_columns() -%}
        entry_date,
        entry_year,
        management_level,
        unit_region_code,
        unit_city_code,
        unit_province_code,
        submission_date,
        file_path,
        sheet,
        row_number
{%- endmacro %}

{#- 台账 staging 模型（stg_raw__problems、stg_raw__clues）中的 §6 关联键列 -#}
{% macro ledger_key_staging_columns() -%}
        -- 组织单位：为空表示填报单位本身，在 int 层按 §6 补齐
        organiser_code,
        cast(term as integer) as term,
        cast(round as integer) as round,
        unit_code
{%- endmacro %}
