-- MicroMasters combined course grades (course grade with the proctored exam), one per (learner, course).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__grades_combinedfinalgrade') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursegrade_id,
    user_id,
    course_id,
    grade as coursegrade_grade,
    created_on as coursegrade_created_on,
    updated_on as coursegrade_updated_on
from deduplicated
