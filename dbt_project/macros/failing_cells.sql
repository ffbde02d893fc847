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
