with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__course_enrollment') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'course_id']) }})

select
    user_id,
    course_id as courserun_readable_id,
    mode as courserunenrollment_enrollment_mode,
    is_active as courserunenrollment_is_active,
    created as courserunenrollment_created_on
from deduplicated
