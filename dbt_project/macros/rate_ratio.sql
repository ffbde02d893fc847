{#-
  两组泊松率之比（交叉/非交叉）及其 95% 置信区间（对数法）：
    RR = (c1 / n1) / (c0 / n0)
    CI = exp(ln RR ± 1.96 · sqrt(1/c1 + 1/c0))
  RR 在 n1、n0、c0 任一为 0 时无定义（null）；置信区间在 c1 或 c0 为 0 时为 null。
-#}
{% macro poisson_rate_ratio(c1, n1, c0, n0) -%}
    case
        when {{ n1 }} > 0 and {{ n0 }} > 0 and {{ c0 }} > 0
            then (cast({{ c1 }} as double) / {{ n1 }}) / (cast({{ c0 }} as double) / {{ n0 }})
    end
{%- endmacro %}

{% macro poisson_rate_ratio_ci(c1, n1, c0, n0, bound) -%}
    {%- set sign = '-' if bound == 'low' else '+' -%}
    case
        when {{ n1 }} > 0 and {{ n0 }} > 0 and {{ c1 }} > 0 and {{ c0 }} > 0
            then exp(
                ln((cast({{ c1 }} as double) / {{ n1 }}) / (cast({{ c0 }} as double) / {{ n0 }}))
                {{ sign }} 1.96 * sqrt(1.0 / {{ c1 }} + 1.0 / {{ c0 }})
            )
    end
{%- endmacro %}
