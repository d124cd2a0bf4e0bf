-- Every MITx Online B2B membership reaches bridge_user_organization as its person's, and every
-- run a contract offers reaches bridge_organization_courserun under that contract's
-- organization: counted from staging, per organization.
with memberships as (
    select cast(organization_id as {{ dbt.type_string() }}) as organization_id, count(*) as n
    from {{ ref('stg__mitxonline__app__postgres__b2b_userorganization') }}
    group by 1
),

contract_runs as (
    select cast(contracts.organization_id as {{ dbt.type_string() }}) as organization_id, count(*) as n
    from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }} as runs
    inner join {{ ref('stg__mitxonline__app__postgres__b2b_contractpage') }} as contracts
        on runs.b2b_contract_id = contracts.b2b_contract_id
    group by 1
),

organizations as (
    select organization_pk, organization_id
    from {{ ref('dim_organization') }}
    where platform = 'mitxonline'
),

member_rows as (
    select organization_fk, count(*) as n
    from {{ ref('bridge_user_organization') }}
    group by 1
),

run_rows as (
    select organization_fk, count(*) as n
    from {{ ref('bridge_organization_courserun') }}
    group by 1
),

bridged as (
    select
        organizations.organization_id,
        coalesce(member_rows.n, 0) as members,
        coalesce(run_rows.n, 0) as runs
    from organizations
    left join member_rows on organizations.organization_pk = member_rows.organization_fk
    left join run_rows on organizations.organization_pk = run_rows.organization_fk
)

select
    bridged.organization_id,
    bridged.members,
    coalesce(memberships.n, 0) as staged_members,
    bridged.runs,
    coalesce(contract_runs.n, 0) as staged_runs
from bridged
left join memberships on bridged.organization_id = memberships.organization_id
left join contract_runs on bridged.organization_id = contract_runs.organization_id
where bridged.members <> coalesce(memberships.n, 0)
    or bridged.runs <> coalesce(contract_runs.n, 0)
