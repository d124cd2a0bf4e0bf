-- Learners' memberships of MITx Online B2B organizations, one row per (person, organization).
-- A membership's MITx Online account resolves to its person in dim_user.
with memberships as (
    select * from {{ ref('stg__mitxonline__app__postgres__b2b_userorganization') }}
),

people as (
    select user_pk, mitxonline_application_user_id
    from {{ ref('dim_user') }}
    where mitxonline_application_user_id is not null
),

organizations as (
    select organization_pk, organization_id
    from {{ ref('dim_organization') }}
    where platform = 'mitxonline'
)

select
    people.user_pk as user_fk,
    organizations.organization_pk as organization_fk,
    memberships.userorganization_keep_until_seen,
    memberships.userorganization_is_manager
from memberships
inner join people on memberships.user_id = people.mitxonline_application_user_id
inner join organizations
    on cast(memberships.organization_id as {{ dbt.type_string() }}) = organizations.organization_id
