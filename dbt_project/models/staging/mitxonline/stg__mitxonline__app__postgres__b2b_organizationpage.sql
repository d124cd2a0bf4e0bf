-- MITx Online B2B organizations (a CMS page each), one row per organization.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__b2b_organizationpage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as organization_id,
    name as organization_name,
    org_key as organization_key,
    logo as organization_logo,
    description as organization_description,
    sso_organization_id
from deduplicated
