{#-
  列表式检查的共同部分：columns 中每个满足 condition 的单元格返回一行，failing_column 指出是哪一列。
  condition 中的 {column} 代入列名，例如 '{column} < 0'。
-#}
{% macro failing_cells(model, columns, condition) -%}
    {%- for column in columns %}
    select
        '{{ column }}' as failing_column,
        *
    from {{ model }}
    where {{ condition | replace('{column}', column) }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
