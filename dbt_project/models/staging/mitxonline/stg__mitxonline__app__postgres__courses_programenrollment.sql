-- MITx Online program enrollments, one row per enrollment.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_programenrollment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as programenrollment_id,
    change_status as programenrollment_enrollment_status,
    active as programenrollment_is_active,
    program_id,
    user_id,
    enrollment_mode as programenrollment_enrollment_mode,
    created_on as programenrollment_created_on,
    updated_on as programenrollment_updated_on
from deduplicated
