-- xPRO runs carry no enrollment window or upgrade deadline in the app database.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_courserun') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserun_id,
    course_id,
    title as courserun_title,
    courseware_id as courserun_readable_id,
    run_tag as courserun_tag,
    -- A run a partner (Emeritus, Global Alumni) delivers: the partner's run code.
    external_course_run_id as courserun_external_readable_id,
    start_date as courserun_start_on,
    end_date as courserun_end_on,
    live as courserun_is_live,
    created_on as courserun_created_on,
    updated_on as courserun_updated_on
from deduplicated
