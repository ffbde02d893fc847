-- 行级规则 R4、R6（§8）应用于巡视巡察安排；每行只记第一条命中的规则
with

inspections as (
    select * from {{ ref('int_inspections_enriched') }}
),

checked as (
    select
        *,
        -- R4：交叉巡察的派出区划（任一）等于被巡察单位所属区划；
        -- 派出区划未填即组织单位派出（§5 T1），故用实际派出区划判断
        is_cross and list_contains(effective_team_origin_codes, unit_region_code) as fails_r4,
        -- R6：反馈日期早于进驻日期
        coalesce(feedback_date < entry_date, false) as fails_r6
    from inspections
),

{%- set r4_message %}
'交叉巡察的派出区划（' || array_to_string(effective_team_origin_codes, '、')
|| '）与被巡察单位所属区划（' || unit_region_code || '）相同，自相矛盾'
{%- endset %}
{%- set r6_message %}
'反馈日期（' || strftime(feedback_date, '%Y-%m-%d')
|| '）早于进驻日期（' || strftime(entry_date, '%Y-%m-%d') || '）'
{%- endset %}

flagged as (
    select
        {{ first_failing_rule([
            {'when': 'fails_r4', 'rule': 'R4', 'column': '派出区划',
             'value': "array_to_string(effective_team_origin_codes, '、')", 'message': r4_message},
            {'when': 'fails_r6', 'rule': 'R6', 'column': '反馈日期',
             'value': "strftime(feedback_date, '%Y-%m-%d')", 'message': r6_message},
        ]) }}
    from checked
),

final as (
    {{ rows_with_validity('flagged') }}
)

select * from final
