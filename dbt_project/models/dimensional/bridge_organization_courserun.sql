-- The MITx Online course runs B2B contracts offer, one row per (organization, contract, run).
-- xPRO's B2B purchases are orders, not contracts (int__mitxpro__b2becommerce_b2border).
with contract_runs as (
    select b2b_contract_id as contract_id, courserun_readable_id
    from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }}
    where b2b_contract_id is not null
),

contracts as (
    select contract_pk, contract_id, organization_fk
    from {{ ref('dim_contract') }}
),

runs as (
    select courserun_pk, courserun_readable_id
    from {{ ref('dim_course_run') }}
    where platform_readable_id = 'mitxonline' and is_current
)

select
    contracts.organization_fk,
    contracts.contract_pk as contract_fk,
    runs.courserun_pk as courserun_fk
from contract_runs
inner join contracts on contract_runs.contract_id = contracts.contract_id
inner join runs on contract_runs.courserun_readable_id = runs.courserun_readable_id
