-- 报送明细行（W2 报送完整性的依据）：T1–T4 的每个当前行一行，含被 R4–R6 隔离的行
-- （这些行不在其他 fct_ 中，但“报了什么”要算上它们）。
-- 数据年度：T1 为进驻年度；T2、T3 为所属巡视巡察的进驻年度（孤立行为空）；T4 为统计年度。
with

final as (
    {%- for template, model, year_column in [
        ('T1', 'int_inspections_enriched', 'entry_year'),
        ('T2', 'int_problems_joined', 'entry_year'),
        ('T3', 'int_clues_joined', 'entry_year'),
        ('T4', 'fct_summary', 'year'),
    ] %}
    select
        '{{ template }}' as template,
        submitter_code,
        {{ year_column }} as data_year,
        file_path,
        file_sha256,
        sheet,
        row_number,
        submission_date
    from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
