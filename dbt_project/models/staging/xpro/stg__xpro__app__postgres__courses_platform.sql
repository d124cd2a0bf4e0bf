-- xPRO delivery platforms (xPRO itself and external partners).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_platform') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as platform_id,
    name as platform_name
from deduplicated
