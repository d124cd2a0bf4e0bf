-- xPRO programs, one row per program.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_program') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as program_id,
    live as program_is_live,
    title as program_title,
    readable_id as program_readable_id,
    {{ dbt.split_part('readable_id', "'+'", 2) }} as short_program_code,
    platform_id,
    is_external as program_is_external,
    created_on as program_created_on,
    updated_on as program_updated_on
from deduplicated
