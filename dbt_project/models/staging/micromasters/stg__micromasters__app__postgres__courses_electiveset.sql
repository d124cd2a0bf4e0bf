-- MicroMasters elective sets: a program's elective courses and how many of them it requires.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__courses_electivesset') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as electiveset_id,
    program_id,
    title as electiveset_title,
    required_number as electiveset_required_number
from deduplicated
