{#- B2：部分不得大于整体，例如已完成整改数不得大于发现问题数。 -#}
{% test not_greater_than(model, column_name, other_column) %}
    select *
    from {{ model }}
    where {{ column_name }} > {{ other_column }}
{% endtest %}
