{#- B2：计数不得为负。一个模型一次查询检查所有计数列（columns），每个为负的单元格返回一行。 -#}
{% test non_negative(model, columns) %}
    {{ failing_cells(model, columns, '{column} < 0') }}
{% endtest %}
