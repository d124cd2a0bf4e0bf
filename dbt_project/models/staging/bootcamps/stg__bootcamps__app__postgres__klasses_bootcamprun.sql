-- A bootcamp run plays the role of a course run: named with the courserun_ prefix.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__bootcamps__app__postgres__klasses_bootcamprun') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserun_id,
    bootcamp_id as course_id,
    title as courserun_title,
    bootcamp_run_id as courserun_readable_id,
    run_key as courserun_run_key,
    start_date as courserun_start_on,
    end_date as courserun_end_on
from deduplicated
