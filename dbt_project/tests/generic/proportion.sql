{#- B2：比率必须在 [0, 1] 之内（空值表示分母为 0，允许）。 -#}
{% test proportion(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
