{#-
  领导报表的统计范围（§6 Scopes），含“省本级”行，供 rpt_overview 等读取核心事实表的报表使用。
  scope_kind：市 = 该市（含市本级和所属县）；省本级 = 不属于任何市的省内单位；全省 = 全部省内单位。
  省本级行的 scope_code 为省级区划代码，以 scope_kind 与全省行区分。
-#}

{#- 统计范围 × 期间骨架：各市、省本级、全省 × “全部”和每个进驻年度（来自 dim_region、fct_inspection） -#}
{% macro report_scope_spine() -%}
    select
        s.scope_code,
        s.scope_kind,
        s.scope_name,
        s.scope_order,
        p.period
    from (
        {%- for kind, scope_name, level, key in [
            ('市', 'region_name', '市', 'province_code'),
            ('省本级', "'省本级'", '省', 'region_code'),
            ('全省', 'region_name', '省', 'region_code'),
        ] %}
        select
            region_code as scope_code,
            '{{ kind }}' as scope_kind,
            {{ scope_name }} as scope_name,
            {{ loop.index }} as scope_order
        from {{ ref('dim_region') }}
        where region_level = '{{ level }}' and {{ key }} = {{ province_code() }}
        {{- '\n        union all' if not loop.last }}
        {%- endfor %}
    ) as s
    cross join (
        select '全部' as period
        union all
        select distinct cast(entry_year as varchar) as period
        from {{ ref('fct_inspection') }}
        where entry_year is not null
    ) as p
{%- endmacro %}

{#-
  事实行按统计范围和期间展开：每行计入所属市、全省，不属于任何市的另计入省本级；
  每行计入其进驻年度和“全部”两个期间（列 period）。
-#}
{% macro report_scope_fanout(facts) -%}
    select
        s.*,
        y.period
    from (
        {%- for scope_column, kind, condition in [
            ('unit_city_code', '市', 'f.unit_city_code is not null'),
            ('unit_province_code', '全省', 'f.unit_province_code is not null'),
            ('unit_province_code', '省本级', 'f.unit_city_code is null and f.unit_province_code is not null'),
        ] %}
        select
            f.{{ scope_column }} as scope_code,
            '{{ kind }}' as scope_kind,
            f.*
        from {{ facts }} as f
        where {{ condition }}
        {{- '\n        union all' if not loop.last }}
        {%- endfor %}
    ) as s
    inner join (
        select distinct
            cast(entry_year as varchar) as period,
            entry_year
        from {{ facts }}
        where entry_year is not null
        union all
        select distinct
            '全部' as period,
            entry_year
        from {{ facts }}
    ) as y on s.entry_year is not distinct from y.entry_year
{%- endmacro %}

{#-
  统计范围桥表（§6 Scopes）：区划内单位计入本区划所属的市和省；市本级单位计入该市和全省，
  省本级单位只计入全省。regions 为含 region_code、city_code、province_code 的区划表
  （int_regions_hierarchy 或 dim_region）。
-#}
{% macro region_scopes(regions) -%}
    select
        region_code,
        province_code as scope_code,
        '省' as scope_level
    from {{ regions }}
    where province_code is not null
    union all
    select
        region_code,
        city_code as scope_code,
        '市' as scope_level
    from {{ regions }}
    where city_code is not null
{%- endmacro %}

{#-
  §9 报表骨架：统计范围（全省 + 各市，来自 dim_region）× 期间（“全部” + period_source 中
  year_column 出现的每个年度；缺省为有效巡视巡察 fct_inspection 的进驻年度）。
-#}
{% macro region_report_spine(period_source=none, year_column='entry_year') -%}
    {%- set period_source = period_source or ref('fct_inspection') -%}
    select
        s.region_code as scope_code,
        s.region_name as scope_name,
        s.region_level as scope_level,
        p.period
    from {{ ref('dim_region') }} as s
    cross join (
        select '全部' as period
        union all
        select distinct cast({{ year_column }} as varchar) as period
        from {{ period_source }}
        where {{ year_column }} is not null
    ) as p
    where
        (s.region_level = '省' and s.region_code = {{ province_code() }})
        or (s.region_level = '市' and s.province_code = {{ province_code() }})
{%- endmacro %}

{#-
  “全部”× 期间的汇总（§6 Scopes）：source 的每行（含 region_code 与 year_column）按统计范围
  （region_scopes）× 年度求和，再加上每个统计范围的“全部”期间。
  measures      求和的列；row_count 给出时另加一列 count(*)（按源行计数）
  partition_by  除统计范围与期间外的分组列
  返回列：scope_code, period, partition_by…, row_count, measures…
-#}
{% macro scope_period_rollup(source, measures, year_column='entry_year', partition_by=[], row_count=none) -%}
    {%- set totals = ([row_count] if row_count else []) + measures -%}
    with

    scopes as (
        {{ region_scopes(ref('dim_region')) }}
    ),

    by_year as (
        select
            s.scope_code,
            cast(b.{{ year_column }} as varchar) as period,
            {%- for k in partition_by %}
            b.{{ k }},
            {%- endfor %}
            {%- if row_count %}
            count(*) as {{ row_count }},
            {%- endif %}
            {%- for m in measures %}
            sum(b.{{ m }}) as {{ m }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as b
        inner join scopes as s on b.region_code = s.region_code
        group by s.scope_code, b.{{ year_column }}{% for k in partition_by %}, b.{{ k }}{% endfor %}
    )

    select * from by_year
    union all
    select
        scope_code,
        '全部' as period,
        {%- for k in partition_by %}
        {{ k }},
        {%- endfor %}
        {%- for m in totals %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from by_year
    group by scope_code{% for k in partition_by %}, {{ k }}{% endfor %}
{%- endmacro %}

{#- 区划层级的次序（省 1、市 2、县 3），用于排序和判断联动方向 -#}
{% macro region_level_rank(level_column) -%}
    case {{ level_column }} when '省' then 1 when '市' then 2 when '县' then 3 end
{%- endmacro %}

{#-
  报表的计数列：左连接后缺的记 0，统一为 bigint（alias 为汇总 CTE 的别名）。
  missing_as_zero=false 时只转换类型（空值保持为空）。
-#}
{% macro counts_as_bigint(alias, columns, missing_as_zero=true) -%}
    {%- for column in columns %}
        {%- if missing_as_zero %}
        cast(coalesce({{ alias }}.{{ column }}, 0) as bigint) as {{ column }}{{ ',' if not loop.last }}
        {%- else %}
        cast({{ alias }}.{{ column }} as bigint) as {{ column }}{{ ',' if not loop.last }}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- 各列求和（列名不变），用于合计行 -#}
{% macro sums(columns) -%}
    {%- for column in columns %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- 左连接后缺的计数记 0（不转换类型；alias 为被连接的汇总的别名） -#}
{% macro zero_if_missing(alias, columns) -%}
    {%- for column in columns %}
        coalesce({{ alias }}.{{ column }}, 0) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- 报表骨架（别名 sp）的键列：统计范围 × 期间报表的前几列 -#}
{% macro spine_columns(columns=['scope_code', 'scope_name', 'period']) -%}
    {%- for column in columns %}
        sp.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- 统计范围 × 期间报表的行序：全省在前，各市按代码；“全部”在各年度之前（sp 为骨架别名） -#}
{% macro spine_order() -%}
    sp.scope_level desc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
{%- endmacro %}

{#-
  报表骨架（别名 sp）左连接一个按统计范围 × 期间的汇总：scope_code、period 相同，
  keys 中的骨架侧列（如 'g.inspection_group'）与汇总中同名的列也相同。
-#}
{% macro spine_left_join(relation, alias, keys=[]) -%}
    left join {{ relation }} as {{ alias }}
        on
            sp.scope_code = {{ alias }}.scope_code
            and sp.period = {{ alias }}.period
            {%- for key in keys %}
            and {{ key }} = {{ alias }}.{{ key.split('.')[-1] }}
            {%- endfor %}
{%- endmacro %}

{#-
  领导报表的计数：facts 的每行按 report_scope_fanout 展开后按 (scope_code, scope_kind, period) 分组，
  计数列写在调用块中：{% raw %}{% call report_scope_counts('problems') %} count(*) as found {% endcall %}{% endraw %}。
-#}
{% macro report_scope_counts(facts) -%}
    select
        scope_code,
        scope_kind,
        period,
        {{ caller() }}
    from ({{ report_scope_fanout(facts) }}) as x
    group by scope_code, scope_kind, period
{%- endmacro %}

{#- 领导报表（report_scope_spine，别名 sp）的行序：各市、省本级、全省；“全部”在各年度之前 -#}
{% macro report_scope_order() -%}
    sp.scope_order asc, sp.scope_code asc, sp.period <> '全部' asc, sp.period asc
{%- endmacro %}
