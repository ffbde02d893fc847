-- 共性问题对照自查（T8 当前行）对应到共性问题（T7）及其自查义务（§6），
-- 在重报替换之后应用行级规则（§8），每行只记第一条命中的规则（R5、R6、R7、R8）：
-- R5 没有现行有效的共性问题；R6 报送日期早于推送日期；
-- R7 自查单位不在该共性问题的自查义务之内；R8 计数自相矛盾。
with

self_checks as (
    select * from {{ ref('stg_raw__self_checks') }}
),

common_problems as (
    select * from {{ ref('stg_raw__common_problems') }}
),

obligations as (
    select * from {{ ref('int_common_problem_obligations') }}
),

units as (
    select * from {{ ref('stg_raw__units') }}
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

scopes as (
    select * from {{ ref('int_region_scopes') }}
),

joined as (
    select
        s.*,
        concat_ws('|', s.issuer_code, s.common_problem_code) as common_problem_key,
        iss.region_name as issuer_name,
        u.unit_name,
        u.unit_category,
        u.region_code as unit_region_code,
        ur.city_code as unit_city_code,
        ur.province_code as unit_province_code,
        cp.common_problem_code is not null as common_problem_exists,
        cp.term,
        cp.round,
        cp.problem_category,
        cp.applicable_categories,
        cp.push_date,
        year(cp.push_date) as push_year,
        cp.deadline,
        o.unit_code is not null as is_obligation,
        -- 单位所属区划是否在下发单位辖区内（本区划，或计入下发单位的统计范围）
        (u.region_code = s.issuer_code or sc.scope_code is not null) as unit_in_territory
    from self_checks as s
    left join common_problems as cp
        on
            s.issuer_code = cp.issuer_code
            and s.common_problem_code = cp.common_problem_code
    left join obligations as o
        on
            s.issuer_code = o.issuer_code
            and s.common_problem_code = o.common_problem_code
            and s.unit_code = o.unit_code
    left join units as u on s.unit_code = u.unit_code
    left join regions as ur on u.region_code = ur.region_code
    left join regions as iss on s.issuer_code = iss.region_code
    left join scopes as sc
        on
            u.region_code = sc.region_code
            and s.issuer_code = sc.scope_code
),

checked as (
    select
        *,
        (
            '自查单位' || unit_code || '（' || coalesce(unit_name, '名录中无此单位') || '）对照下发单位'
            || coalesce(issuer_name, '') || '（' || issuer_code || '）的共性问题' || common_problem_code
        ) as subject_text,
        not common_problem_exists as fails_r5,
        coalesce(report_date < push_date, false) as fails_r6,
        not is_obligation as fails_r7,
        completed > problems_found as fails_r8_completed,
        coalesce(not has_similar and problems_found > 0, false) as fails_r8_similar
    from joined
),

{%- set r5_message %}
subject_text || '：该共性问题不存在（下发单位的共性问题清单中没有现行有效的编号'
|| common_problem_code || '，可能未报送、已被重报替换或已被隔离），请核对下发单位和共性问题编号'
{%- endset %}
{%- set r6_message %}
subject_text || '：报送日期（' || strftime(report_date, '%Y-%m-%d')
|| '）早于该共性问题的推送日期（' || strftime(push_date, '%Y-%m-%d') || '）'
{%- endset %}
{%- set r7_message %}
subject_text || '：该单位不在此共性问题的自查范围内（'
|| case
    when not unit_in_territory
        then
            '单位所属区划' || coalesce(unit_region_code, '') || '不在下发单位'
            || coalesce(issuer_name, issuer_code) || '的辖区内'
    else
        '单位类别“' || coalesce(unit_category, '') || '”不在适用单位类别（'
        || array_to_string(applicable_categories, '、') || '）之内'
end || '）'
{%- endset %}
{%- set r8_completed_message %}
subject_text || '：已完成整改数（' || completed || '）大于自查发现问题数（'
|| problems_found || '）'
{%- endset %}
{%- set r8_similar_message %}
subject_text || '：是否存在同类问题为“否”，但自查发现问题数为' || problems_found
{%- endset %}

flagged as (
    select
        {{ first_failing_rule([
            {'when': 'fails_r5', 'rule': 'R5', 'column': '共性问题编号', 'value': 'common_problem_code',
             'message': r5_message},
            {'when': 'fails_r6', 'rule': 'R6', 'column': '报送日期', 'value': "strftime(report_date, '%Y-%m-%d')",
             'message': r6_message},
            {'when': 'fails_r7', 'rule': 'R7', 'column': '自查单位', 'value': 'unit_code', 'message': r7_message},
            {'when': 'fails_r8_completed', 'rule': 'R8', 'column': '已完成整改数',
             'value': 'cast(completed as varchar)', 'message': r8_completed_message},
            {'when': 'fails_r8_similar', 'rule': 'R8', 'column': '是否存在同类问题', 'value': "'否'",
             'message': r8_similar_message},
        ], exclude=['subject_text', 'fails_r5', 'fails_r6', 'fails_r7', 'fails_r8_completed', 'fails_r8_similar']) }}
    from checked
),

final as (
    {{ rows_with_validity('flagged') }}
)

select * from final
