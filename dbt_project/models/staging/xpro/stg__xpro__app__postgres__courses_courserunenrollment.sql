with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_courserunenrollment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserunenrollment_id,
    user_id,
    run_id as courserun_id,
    order_id as ecommerce_order_id,
    active as courserunenrollment_is_active,
    change_status as courserunenrollment_enrollment_status,
    created_on as courserunenrollment_created_on,
    updated_on as courserunenrollment_updated_on
from deduplicated
