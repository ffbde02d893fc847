{#-
  B2：比率必须在 [0, 1] 之内（空值表示分母为 0，允许）。一个模型一次查询检查所有比率列，
  每个越界的单元格返回一行，failing_column 指出是哪一列。
-#}
{% test proportion(model, columns) %}
    {%- for column in columns %}
    select
        '{{ column }}' as failing_column,
        *
    from {{ model }}
    where {{ column }} < 0 or {{ column }} > 1
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
