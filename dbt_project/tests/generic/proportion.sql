{#- B2：比率必须在 [0, 1] 之内（空值表示分母为 0，允许）。一个模型一次查询检查所有比率列。 -#}
{% test proportion(model, columns) %}
    {{ failing_cells(model, columns, '{column} < 0 or {column} > 1') }}
{% endtest %}
