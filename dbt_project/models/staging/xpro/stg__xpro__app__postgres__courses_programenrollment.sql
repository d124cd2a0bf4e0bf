-- xPRO program enrollments, one row per enrollment.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_programenrollment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as programenrollment_id,
    change_status as programenrollment_enrollment_status,
    active as programenrollment_is_active,
    program_id,
    user_id,
    company_id as ecommerce_company_id,
    order_id as ecommerce_order_id,
    created_on as programenrollment_created_on,
    updated_on as programenrollment_updated_on
from deduplicated
