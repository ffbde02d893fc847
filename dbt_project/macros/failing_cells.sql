{#-
  列表式检查的共同部分：columns 中每个满足 condition 的单元格返回一行，failing_column 指出是哪一列。
  condition 中的 {column} 代入列名，例如 '{column} < 0'。
-#}
{% macro failing_cells(model, columns, condition) -%}
    {%- for column in columns %}
    select
        '{{ column }}' as failing_column,
        *
    from {{ model }}
    where {{ condition | replace('{column}', column) }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
  行级规则（R4–R8）的结尾：flagged 已按“只记第一条命中的规则”写好 quarantine_rule 等列，
  没有命中任何规则的行可发布（is_valid）。int_inspections_validated、台账关联与 T8 自查共用。
-#}
{% macro rows_with_validity(flagged='flagged') -%}
    select
        *,
        quarantine_rule is null as is_valid
    from {{ flagged }}
{%- endmacro %}

{#-
  行级规则（R4–R8）的隔离列：checks 按顺序列出每条检查，每行只记第一条命中的（when 为真）检查，
  写出 quarantine_rule、quarantine_column（模板列名）、quarantine_value、quarantine_message（SQL 表达式）。
  checks  [{'when': 布尔列, 'rule': 规则编号, 'column': '模板列名', 'value': 表达式, 'message': 表达式}, …]
  exclude 结果中去掉的辅助列（缺省为各 when 列）
  接在 select 之后，调用处写 from。
-#}
{% macro first_failing_rule(checks, exclude=none) -%}
    {%- set exclude = exclude or checks | map(attribute='when') | list -%}
        * exclude ({{ exclude | join(', ') }}),
        {%- for output in ['rule', 'column', 'value', 'message'] %}
        case
            {%- for check in checks %}
            when {{ check.when }} then
            {%- if output in ['rule', 'column'] %} '{{ check[output] }}'
            {%- else %} {{ check[output] | trim }}
            {%- endif %}
            {%- endfor %}
        end as quarantine_{{ output }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
