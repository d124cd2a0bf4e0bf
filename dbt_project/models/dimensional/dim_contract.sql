-- MITx Online B2B contracts, one row per contract; organization_fk is the organization that
-- holds it. contract_pk = surrogate of the contract id.
with contracts as (
    select * from {{ ref('stg__mitxonline__app__postgres__b2b_contractpage') }}
),

organizations as (
    select organization_pk, organization_id
    from {{ ref('dim_organization') }}
    where platform = 'mitxonline'
)

select
    {{ generate_surrogate_key(['contracts.b2b_contract_id']) }} as contract_pk,
    contracts.b2b_contract_id as contract_id,
    organizations.organization_pk as organization_fk,
    contracts.b2b_contract_name,
    contracts.b2b_contract_is_active,
    contracts.b2b_contract_description,
    contracts.b2b_contract_start_date,
    contracts.b2b_contract_end_date,
    contracts.b2b_contract_max_learners,
    contracts.b2b_contract_enrollment_fixed_price,
    contracts.b2b_contract_membership_type
from contracts
left join organizations
    on cast(contracts.organization_id as {{ dbt.type_string() }}) = organizations.organization_id
