with

deployments as (
    select * from {{ ref('stg_raw__deployments') }}
),

final as (
    select
        deployment_code,
        deployment_name,
        start_date,
        planned_targets,
        submitter_code
    from deployments
)

select * from final
