{#-
  血缘列（docs/raw-layer.md）：每个 staging 模型的最后几列，指回入库的文件、工作表、Excel 行和填报单位。
  with_sha256=false 用于不带文件哈希列的名录类模型（R0、T0、T6）。
-#}
{% macro lineage_columns(with_sha256=true) -%}
        file_path,
        {%- if with_sha256 %}
        file_sha256,
        {%- endif %}
        sheet,
        row_number,
        submitter_code,
        submission_date
{%- endmacro %}
