{#-
  必填列非空（B1 的键列，以及 severity: warn 的描述性必填列）：一个模型一次查询检查 columns，
  每个空单元格返回一行，failing_column 指出是哪一列。取代逐列的 not_null，失败数相同。
-#}
{% test not_null_columns(model, columns) %}
    {%- for column in columns %}
    select
        '{{ column }}' as failing_column,
        *
    from {{ model }}
    where {{ column }} is null
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
