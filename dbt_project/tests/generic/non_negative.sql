{#-
  B2：计数不得为负。一个模型一次查询检查所有计数列（columns），
  每个为负的单元格返回一行，failing_column 指出是哪一列。
-#}
{% test non_negative(model, columns) %}
    {%- for column in columns %}
    select
        '{{ column }}' as failing_column,
        *
    from {{ model }}
    where {{ column }} < 0
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
