-- A bootcamp plays the role of a course: named with the course_ prefix.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__klasses_bootcamp') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as course_id,
    readable_id as course_readable_id,
    title as course_title,
    legacy as course_is_legacy
from deduplicated
