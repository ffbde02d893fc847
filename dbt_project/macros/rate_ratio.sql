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

{#-
  Mantel–Haenszel 率比（Greenland–Robins 方差）：r = Σ c1·n0/N，s = Σ c0·n1/N，
  p = Greenland–Robins 方差的分子（各层求和后的列）。
    MH = r / s，CI = exp(ln MH ± 1.96 · sqrt(p / (r · s)))
  r 或 s 为 0 时 MH 与置信区间均为 null。bound 为 none 时给出 MH 本身，'low' / 'high' 给出区间端点。
-#}
{% macro mantel_haenszel_rate_ratio(r, s, p, bound=none) -%}
    case
        when {{ r }} > 0 and {{ s }} > 0
            then
            {%- if bound is none %} {{ r }} / {{ s }}
            {%- else %} exp(
                    ln({{ r }} / {{ s }})
                    {{ '-' if bound == 'low' else '+' }} 1.96 * sqrt({{ p }} / ({{ r }} * {{ s }}))
                )
            {%- endif %}
    end
{%- endmacro %}

{#-
  分层报表（rpt_clue_yield_stratified）的一组率比列：粗率比 crude_ratio_{measure}（c1、c0 为交叉、非交叉的计数，
  n1、n0 为巡视巡察数），Mantel–Haenszel 率比 mh_ratio_{measure} 及其置信区间（mh 为 r、s、p 列的前缀）。
-#}
{% macro stratified_rate_ratio_columns(measure, c1, n1, c0, n0, mh) -%}
        {{ poisson_rate_ratio(c1, n1, c0, n0) }} as crude_ratio_{{ measure }},
        {%- for bound in [none, 'low', 'high'] %}
        {{ mantel_haenszel_rate_ratio(mh ~ '_r', mh ~ '_s', mh ~ '_p', bound) }}
            as mh_ratio_{{ measure }}{{ '_ci_' ~ bound if bound }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
