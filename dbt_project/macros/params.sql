{#- 统计截止日期：var('as_of')（'YYYY-MM-DD'），未设置时为 current_date -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        current_date
    {%- else -%}
        cast('{{ as_of }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- 省级区划代码：var('province_code')，未设置时取 R0 中层级为“省”的区划 -#}
{% macro province_code() -%}
    {%- set code = var('province_code', none) -%}
    {%- if code is none or code == '' -%}
        (select min(p.region_code) from {{ ref('dim_region') }} as p where p.region_level = '省')
    {%- else -%}
        '{{ code }}'
    {%- endif -%}
{%- endmacro %}
