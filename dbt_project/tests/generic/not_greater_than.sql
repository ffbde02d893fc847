{#-
  B2：部分不得大于整体，例如已完成整改数不得大于发现问题数。
  pairs 为 [[部分列, 整体列], …]，一个模型一次查询；每对违反的返回一行（failing_column、whole_column）。
-#}
{% test not_greater_than(model, pairs) %}
    {%- for part, whole in pairs %}
    select
        '{{ part }}' as failing_column,
        '{{ whole }}' as whole_column,
        *
    from {{ model }}
    where {{ part }} > {{ whole }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
