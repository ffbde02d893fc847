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
