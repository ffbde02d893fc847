{#- 一条检查的 SQL：原来那个通用测试的宏，参数不变。供 tests/generic/rule_checks.sql 使用；新增可合并的测试时在这里登记。 -#}
{% macro rule_check_sql(test, model, args) -%}
    {%- if test == 'unique' -%} {{ test_unique(model, **args) }}
    {%- elif test == 'accepted_values' -%} {{ test_accepted_values(model, **args) }}
    {%- elif test == 'relationships' -%} {{ test_relationships(model, **args) }}
    {%- elif test == 'unique_combination' -%} {{ test_unique_combination(model, **args) }}
    {%- elif test == 'not_null_columns' -%} {{ test_not_null_columns(model, **args) }}
    {%- elif test == 'non_negative' -%} {{ test_non_negative(model, **args) }}
    {%- elif test == 'proportion' -%} {{ test_proportion(model, **args) }}
    {%- elif test == 'not_greater_than' -%} {{ test_not_greater_than(model, **args) }}
    {%- elif test == 'province_rollup' -%} {{ test_province_rollup(model, **args) }}
    {%- elif test == 'own_row_rollup' -%} {{ test_own_row_rollup(model, **args) }}
    {%- else -%} {{ exceptions.raise_compiler_error('rule_checks: 未知的检查 ' ~ test) }}
    {%- endif -%}
{%- endmacro %}
