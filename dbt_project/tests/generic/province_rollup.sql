{#-
  B3：全省数 = 各市之和 + 省本级单位（不属于任何市的区划内单位）之数（§6 Scopes）。
  model            报表（含 scope_code、period 列）
  measures         需要核对的可加计数列
  partition_by     除 scope_code、period 外的分组列（可为空）
  region_aggregate 报表所依据的分区划汇总模型（含 region_code、year_column、partition_by 与 measures 列）
  year_column      分区划汇总中决定期间的年度列（默认进驻年度 entry_year；共性问题为推送年度）
  tolerance        允许的绝对误差（默认 0 即严格相等；万元等小数求和可给 1e-6）
  返回全省行与“各市之和 + 省本级”不一致的期间/分组。
-#}
{% test province_rollup(model, measures, region_aggregate, partition_by=[], year_column='entry_year', tolerance=0) %}
{%- set keys = ['period'] + partition_by -%}
with

province as (
    select {{ province_code() }} as province_code
),

regions as (
    select * from {{ ref('int_regions_hierarchy') }}
),

province_rows as (
    select
        {{ keys | join(', ') }},
        {%- for m in measures %}
        {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    where scope_code = (select p.province_code from province as p)
),

city_sum as (
    select
        {{ keys | join(', ') }},
        {%- for m in measures %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    where scope_code in (
        select r.region_code
        from regions as r
        where r.region_level = '市' and r.province_code = (select p.province_code from province as p)
    )
    group by {{ keys | join(', ') }}
),

own_by_year as (
    select
        cast(a.{{ year_column }} as varchar) as period,
        {%- for k in partition_by %}
        a.{{ k }},
        {%- endfor %}
        {%- for m in measures %}
        sum(a.{{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ region_aggregate }} as a
    inner join regions as r on a.region_code = r.region_code
    where r.city_code is null and r.province_code = (select p.province_code from province as p)
    group by {{ (['a.' ~ year_column] + partition_by) | join(', ') }}
),

own as (
    select * from own_by_year
    union all
    select
        '全部' as period,
        {%- for k in partition_by %}
        {{ k }},
        {%- endfor %}
        {%- for m in measures %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from own_by_year
    {%- if partition_by %}
    group by {{ partition_by | join(', ') }}
    {%- endif %}
),

compared as (
    select
        {%- for k in keys %}
        pr.{{ k }},
        {%- endfor %}
        {%- for m in measures %}
        pr.{{ m }} as province_{{ m }},
        coalesce(c.{{ m }}, 0) + coalesce(o.{{ m }}, 0) as cities_plus_own_{{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from province_rows as pr
    left join city_sum as c
        on
        {%- for k in keys %}
            pr.{{ k }} = c.{{ k }}{{ ' and' if not loop.last }}
        {%- endfor %}
    left join own as o
        on
        {%- for k in keys %}
            pr.{{ k }} = o.{{ k }}{{ ' and' if not loop.last }}
        {%- endfor %}
)

select *
from compared
where
    {%- for m in measures %}
    abs(province_{{ m }} - cities_plus_own_{{ m }}) > {{ tolerance }}{{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
