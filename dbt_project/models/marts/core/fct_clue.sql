-- 有效问题线索（通过 R1–R6）一行一件：自然键 (submitter_code, clue_code)。
-- 不含敏感列（反映对象、反映对象职务），它们从不进入工作仓库。
with

clues as (
    select * from {{ ref('int_clues_joined') }}
),

final as (
    select
        {{ ledger_key_columns('clue') }},
        cadre_level,
        cadre_level = '县管干部' as is_county_cadre,
        transfer_date,
        transfer_target,
        disposal,
        case_filed,
        case_filed_date,
        disciplined_count,
        is_cross,
        is_village,
        {{ ledger_inspection_columns() }}
    from clues
    where is_valid
)

select * from final
