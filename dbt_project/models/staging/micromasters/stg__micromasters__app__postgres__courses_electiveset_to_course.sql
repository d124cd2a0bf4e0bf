-- The courses of each MicroMasters elective set.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__courses_electivecourse') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as electivesettocourse_id,
    course_id,
    electives_set_id as electiveset_id
from deduplicated
