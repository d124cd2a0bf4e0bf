with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_course') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as course_id,
    readable_id as course_readable_id,
    title as course_title,
    live as course_is_live,
    -- the program the course belongs to (null for a stand-alone course)
    program_id,
    created_on as course_created_on,
    updated_on as course_updated_on
from deduplicated
