{#-
  B3（省本级行）：报表中 scope_kind = '省本级' 的行必须等于全省行减各市行之和（§6 Scopes）。
  与 province_rollup（全省 = 各市 + 由明细独立汇总的省本级单位）一起，保证报表列示的
  省本级数就是省本级单位的数。
  measures       需要核对的可加计数列
  partition_by   除 scope_code、scope_kind、period 外的分组列（可为空）
-#}
{% test own_row_rollup(model, measures, partition_by=[]) %}
{%- set keys = ['period'] + partition_by -%}
with

rows_by_kind as (
    select
        {{ keys | join(', ') }},
        {%- for m in measures %}
        sum({{ m }}) filter (where scope_kind = '全省') as province_{{ m }},
        sum({{ m }}) filter (where scope_kind = '市') as cities_{{ m }},
        sum({{ m }}) filter (where scope_kind = '省本级') as own_{{ m }},
        {%- endfor %}
        count(*) filter (where scope_kind = '全省') as province_rows,
        count(*) filter (where scope_kind = '省本级') as own_rows
    from {{ model }}
    group by {{ keys | join(', ') }}
)

select *
from rows_by_kind
where
    province_rows <> 1
    or own_rows <> 1
    {%- for m in measures %}
    or coalesce(province_{{ m }}, 0) - coalesce(cities_{{ m }}, 0) <> coalesce(own_{{ m }}, 0)
    {%- endfor %}
{% endtest %}
