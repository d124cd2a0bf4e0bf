-- B2B organizations: MITx Online's organizations and xPRO's corporate clients (the companies
-- of its B2B purchases), one row per (platform, organization).
-- organization_pk = surrogate of (platform_readable_id, organization_id); the key, logo,
-- description and SSO id exist on MITx Online only.
with organizations as (
    select
        'mitxonline' as platform_readable_id,
        cast(organization_id as {{ dbt.type_string() }}) as organization_id,
        organization_name,
        organization_key,
        organization_logo,
        organization_description,
        sso_organization_id
    from {{ ref('stg__mitxonline__app__postgres__b2b_organizationpage') }}
    union all
    select
        'xpro' as platform_readable_id,
        cast(company_id as {{ dbt.type_string() }}) as organization_id,
        company_name as organization_name,
        cast(null as {{ dbt.type_string() }}) as organization_key,
        cast(null as {{ dbt.type_string() }}) as organization_logo,
        cast(null as {{ dbt.type_string() }}) as organization_description,
        cast(null as {{ dbt.type_string() }}) as sso_organization_id
    from {{ ref('stg__xpro__app__postgres__ecommerce_company') }}
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['organizations.platform_readable_id', 'organizations.organization_id']) }}
        as organization_pk,
    organizations.organization_id,
    organizations.organization_name,
    organizations.organization_key,
    organizations.organization_logo,
    organizations.organization_description,
    organizations.sso_organization_id,
    platforms.platform_pk as platform_fk,
    organizations.platform_readable_id as platform,
    platforms.platform_name
from organizations
inner join platforms on organizations.platform_readable_id = platforms.platform_readable_id
