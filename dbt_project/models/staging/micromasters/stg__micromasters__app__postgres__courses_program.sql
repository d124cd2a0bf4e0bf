with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__courses_program') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as program_id,
    title as program_title,
    live as program_is_live,
    num_required_courses as program_num_required_courses
from deduplicated
