-- 问题线索处置漏斗：移交 → 处置方式 → 立案 → 处分人数。
-- 全部有效线索，按被巡察单位统计范围 × 所属巡视巡察的进驻年度；处置方式为空计为“待处置”。
-- value：前三个环节为线索件数，“处分”环节为处分人数（处分人数为空按 0 计）；
-- share_of_transferred：占移交线索数的比例（“处分”环节为空）。
with

spine as (
    {{ region_report_spine() }}
),

clues as (
    select * from {{ ref('fct_clue') }}
),

steps as (
    select
        s.stage_order,
        s.step_order,
        s.stage,
        s.category
    from (
        values
        (1, 1, '移交', '移交问题线索'),
        (2, 1, '处置', '谈话函询'),
        (2, 2, '处置', '初步核实'),
        (2, 3, '处置', '暂存待查'),
        (2, 4, '处置', '予以了结'),
        (2, 5, '处置', '立案审查调查'),
        (2, 6, '处置', '待处置'),
        (3, 1, '立案', '立案'),
        (4, 1, '处分', '处分人数')
    ) as s (stage_order, step_order, stage, category)
),

clue_steps as (
    {%- for category, value, condition in [
        ("'移交问题线索'", '1', none),
        ("coalesce(disposal, '待处置')", '1', none),
        ("'立案'", '1', 'case_filed'),
        ("'处分人数'", 'coalesce(disciplined_count, 0)', none),
    ] %}
    select
        unit_region_code as region_code,
        entry_year,
        {{ category }} as category,
        {{ value }} as value
    from clues
    {%- if condition %}
    where {{ condition }}
    {%- endif %}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

by_period as (
    {{ scope_period_rollup('clue_steps', ['value'], partition_by=['category']) }}
),

filled as (
    select
        {{ spine_columns(['scope_code', 'scope_name', 'scope_level', 'period']) }},
        st.stage_order,
        st.step_order,
        st.stage,
        st.category,
        cast(coalesce(bp.value, 0) as bigint) as value
    from spine as sp
    cross join steps as st
    {{ spine_left_join('by_period', 'bp', ['st.category']) }}
),

final as (
    select
        scope_code,
        scope_name,
        period,
        stage_order,
        stage,
        category,
        value,
        case
            when stage <> '处分'
                then cast(value as double) / nullif(
                    max(value) filter (where stage = '移交')
                        over (partition by scope_code, period),
                    0
                )
        end as share_of_transferred
    from filled
    order by scope_level desc, scope_code asc, period <> '全部' asc, period asc, stage_order asc, step_order asc
)

select * from final
