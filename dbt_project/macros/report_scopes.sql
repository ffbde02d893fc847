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
        select
            region_code as scope_code,
            '市' as scope_kind,
            region_name as scope_name,
            1 as scope_order
        from {{ ref('dim_region') }}
        where region_level = '市' and province_code = {{ province_code() }}
        union all
        select
            region_code as scope_code,
            '省本级' as scope_kind,
            '省本级' as scope_name,
            2 as scope_order
        from {{ ref('dim_region') }}
        where region_level = '省' and region_code = {{ province_code() }}
        union all
        select
            region_code as scope_code,
            '全省' as scope_kind,
            region_name as scope_name,
            3 as scope_order
        from {{ ref('dim_region') }}
        where region_level = '省' and region_code = {{ province_code() }}
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
        select
            f.unit_city_code as scope_code,
            '市' as scope_kind,
            f.*
        from {{ facts }} as f
        where f.unit_city_code is not null
        union all
        select
            f.unit_province_code as scope_code,
            '全省' as scope_kind,
            f.*
        from {{ facts }} as f
        where f.unit_province_code is not null
        union all
        select
            f.unit_province_code as scope_code,
            '省本级' as scope_kind,
            f.*
        from {{ facts }} as f
        where f.unit_city_code is null and f.unit_province_code is not null
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
