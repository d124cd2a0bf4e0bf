with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__openedx__mysql__student_courseenrollment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserunenrollment_id,
    user_id,
    course_id as courserun_readable_id,
    is_active as courserunenrollment_is_active,
    mode as courserunenrollment_enrollment_mode,
    created as courserunenrollment_created_on
from deduplicated
