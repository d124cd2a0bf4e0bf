with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__courses_course') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as course_id,
    program_id,
    title as course_title,
    -- edX course key without the 'course-v1:' prefix, e.g. MITxT+14.100x
    edx_key as course_readable_id,
    position_in_program as course_position_in_program
from deduplicated
