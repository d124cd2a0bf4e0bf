-- MITx Online B2B contracts (a CMS page each), one row per contract; a contract belongs to an
-- organization and offers course runs of its own (courses_courserun.b2b_contract_id).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__b2b_contractpage') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'page_ptr_id') }})

select
    page_ptr_id as b2b_contract_id,
    name as b2b_contract_name,
    active as b2b_contract_is_active,
    description as b2b_contract_description,
    organization_id,
    contract_start as b2b_contract_start_date,
    contract_end as b2b_contract_end_date,
    max_learners as b2b_contract_max_learners,
    enrollment_fixed_price as b2b_contract_enrollment_fixed_price,
    membership_type as b2b_contract_membership_type
from deduplicated
