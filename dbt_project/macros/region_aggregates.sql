{#-
  分区划汇总（按被巡察单位所属区划 × 年度），只读核心事实表（fct_）。每个宏既是报表（rpt_）的
  汇总来源，也是同名 agg_*_by_region 模型（models/marts/aggregates）的内容：B3（province_rollup）
  用后者核对报表的全省行。读 fct_ 的汇总属于 marts，不能放在 intermediate（数据单向流动）。
-#}

{#-
  问题线索产出的分区划汇总（口径见 §6 Clue yield comparison）：
  被巡察单位管理权限为县管、不含对村（社区）巡察的有效巡视巡察；
  按被巡察单位所属区划 × 进驻年度 × 分组（交叉/非交叉）汇总。
-#}
{% macro clue_yield_by_region() -%}
with

inspections as (
    select * from {{ ref('fct_inspection') }}
    where
        management_level = '县管'
        and not is_village
),

clues as (
    {{ clues_per_inspection() }}
),

per_inspection as (
    select
        i.unit_region_code as region_code,
        i.entry_year,
        case when i.is_cross then '交叉' else '非交叉' end as inspection_group,
        coalesce(c.clues, 0) as clues,
        coalesce(c.county_cadre_clues, 0) as county_cadre_clues
    from inspections as i
    left join clues as c on i.inspection_key = c.inspection_key
),

aggregated as (
    select
        region_code,
        entry_year,
        inspection_group,
        count(*) as inspections,
        sum(clues) as clues,
        sum(county_cadre_clues) as county_cadre_clues
    from per_inspection
    group by region_code, entry_year, inspection_group
)

select * from aggregated
{%- endmacro %}

{#-
  问题整改的分区划汇总（口径见 §6 Rectification）：全部有效巡视巡察的有效问题，
  按被巡察单位所属区划 × 进驻年度汇总；逾期按 var('as_of') 判断。
-#}
{% macro rectification_by_region() -%}
with

problems as (
    select * from {{ ref('fct_problem') }}
),

aggregated as (
    {% call region_year_counts('problems') %}
        {{ problem_status_counts() }},
        count(*) filter (
            where status <> '已完成' and deadline < {{ as_of_date() }}
        ) as overdue
    {% endcall %}
)

select * from aggregated
{%- endmacro %}

{#-
  巡视巡察成效的分区划汇总（§10 rpt_outcomes）：全部有效巡视巡察及其有效问题、线索，
  按被巡察单位所属区划 × 进驻年度汇总。读核心事实表（fct_），不读 staging。
-#}
{% macro outcomes_by_region() -%}
with

inspections as (
    {% call region_year_counts(ref('fct_inspection')) %}
        count(*) as inspections
    {% endcall %}
),

problems as (
    {% call region_year_counts(ref('fct_problem')) %}
        count(*) as problems_found,
        count(*) filter (where is_immediate) as immediate,
        count(*) filter (where is_immediate and status = '已完成') as immediate_completed,
        count(*) filter (where is_immediate and problem_category = '群众身边问题') as immediate_livelihood,
        count(*) filter (where is_common) as common_flagged,
        -- 万元按 4 位小数定点求和，避免浮点求和顺序带来的尾差（空为 0）
        sum(cast(coalesce(recovered_loss_wan, 0) as decimal(18, 4))) as recovered_loss_10k,
        sum(coalesce(rules_established, 0)) as institutions
    {% endcall %}
),

clues as (
    {% call region_year_counts(ref('fct_clue')) %}
        count(*) as clues,
        count(*) filter (where case_filed) as cases_filed,
        sum(coalesce(disciplined_count, 0)) as punished
    {% endcall %}
),

aggregated as (
    {{ merge_by_region_year([
        ['inspections', ['inspections']],
        ['problems', [
            'problems_found', 'immediate', 'immediate_completed', 'immediate_livelihood', 'common_flagged',
            'recovered_loss_10k', 'institutions'
        ]],
        ['clues', ['clues', 'cases_filed', 'punished']],
    ], null_safe=false) }}
)

select * from aggregated
{%- endmacro %}

{#-
  共性问题跟踪的分区划汇总（§10 rpt_common_problem_followup）：自查义务按应自查单位所属区划 ×
  推送年度汇总（每项义务计入其单位所属区划的统计范围）。读核心事实表（fct_）。
-#}
{% macro common_problem_followup_by_region() -%}
with

obligations as (
    select * from {{ ref('fct_common_problem_obligation') }}
),

aggregated as (
    select
        unit_region_code as region_code,
        push_year,
        {{ obligation_counts() }}
    from obligations
    group by unit_region_code, push_year
)

select * from aggregated
{%- endmacro %}

{#-
  “回头看”整改复发的分区划汇总（§10 rpt_recurrence）：按被巡察单位所属区划 × 回头看进驻年度
-#}
{% macro recurrence_by_region() -%}
with

lookbacks as (
    select * from {{ ref('fct_lookback') }}
),

categories as (
    select
        lookback_inspection_key,
        count(*) as rectified_categories,
        count(*) filter (where is_recurred) as recurred_categories
    from {{ ref('fct_lookback_category') }}
    group by lookback_inspection_key
),

aggregated as (
    select
        l.unit_region_code as region_code,
        l.lookback_entry_year as entry_year,
        count(*) as lookback_inspections,
        count(*) filter (where l.prior_inspection_key is not null) as with_prior,
        coalesce(sum(c.rectified_categories), 0) as rectified_categories,
        coalesce(sum(c.recurred_categories), 0) as recurred_categories
    from lookbacks as l
    left join categories as c on l.lookback_inspection_key = c.lookback_inspection_key
    group by l.unit_region_code, l.lookback_entry_year
)

select * from aggregated
{%- endmacro %}
