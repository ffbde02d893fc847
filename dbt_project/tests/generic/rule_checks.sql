{#-
  一个模型、一条规则、一种严重程度的所有检查合为一个测试（issue 13：每个测试都是 dbt 图中的
  一个节点，每个节点都要编译、执行、记录，约占 dbt 阶段 CPU 的大头；查询本身只占一小部分）。
  checks 为 [{test: 通用测试名, …该测试原来的参数}, …]，例如
    - {test: unique, column_name: problem_key}
    - {test: not_null_columns, columns: [problem_key, submitter_code]}
    - {test: relationships, column_name: unit_code, to: dim_org, field: unit_code}
  每条检查调用原来的通用测试（dbt 内置的或 tests/generic/ 中的，见 rule_check_sql），返回的失败行与原来
  逐个测试时相同，因此失败数是各检查失败数之和；failing_check 指出是哪条检查。
  to、region_aggregate 写模型名（这里代为 ref）；where 只作用于这一条检查（同 config.where）。
-#}
{% test rule_checks(model, checks) %}
    {%- for check in checks %}
    {%- set args = {} %}
    {%- for key, value in check.items() if key not in ['test', 'where'] %}
    {%- do args.update({key: ref(value) if key in ['to', 'region_aggregate'] else value}) %}
    {%- endfor %}
    {%- set relation = model if not check.where else '(select * from ' ~ model ~ ' where ' ~ check.where ~ ') as dbt_subquery' %}
    select
        '{{ check.test }}' as failing_check,
        to_json(failing_row) as failing_row
    from (
        {{ rule_check_sql(check.test, relation, args) }}
    ) as failing_row
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{% endtest %}

