{#-
  分区划汇总的合并：parts 中每个 CTE（含 region_code、entry_year 与计数列）按
  (region_code, entry_year) 的并集合并成一行一键，缺的计数记 0。
  parts     [[cte 名, [计数列…]], …]
  null_safe entry_year 为空的键也能配上（is not distinct from）；false 时用 =
-#}
{% macro merge_by_region_year(parts, null_safe=true) -%}
    {%- set equals = 'is not distinct from' if null_safe else '=' -%}
    select
        k.region_code,
        k.entry_year,
        {%- for part in parts %}
        {%- set outer = loop %}
        {%- for column in part[1] %}
        coalesce({{ part[0] }}.{{ column }}, 0) as {{ column }}{{ ',' if not (outer.last and loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from (
        {%- for part in parts %}
        select
            region_code,
            entry_year
        from {{ part[0] }}
        {{- '\n        union' if not loop.last }}
        {%- endfor %}
    ) as k
    {%- for part in parts %}
    left join {{ part[0] }}
        on k.region_code = {{ part[0] }}.region_code and k.entry_year {{ equals }} {{ part[0] }}.entry_year
    {%- endfor %}
{%- endmacro %}

{#-
  按被巡察单位所属区划 × 进驻年度计数：relation 的行（可用 condition 过滤）按 (unit_region_code, entry_year)
  分组，输出 region_code、entry_year 与调用块（call）中写的计数列，供 merge_by_region_year 合并。
-#}
{% macro region_year_counts(relation, condition=none) -%}
    select
        unit_region_code as region_code,
        entry_year,
        {{ caller() }}
    from {{ relation }}
    {%- if condition %}
    where {{ condition }}
    {%- endif %}
    group by unit_region_code, entry_year
{%- endmacro %}
