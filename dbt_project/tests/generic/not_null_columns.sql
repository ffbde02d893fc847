{#-
  必填列非空（B1 的键列，以及 severity: warn 的描述性必填列）：一个模型一次查询检查 columns，
  每个空单元格返回一行。取代逐列的 not_null，失败数相同。
-#}
{% test not_null_columns(model, columns) %}
    {{ failing_cells(model, columns, '{column} is null') }}
{% endtest %}
