-- xPRO course topics, one row per topic; a subtopic names its parent topic.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__courses_coursetopic') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursetopic_id,
    name as coursetopic_name,
    parent_id as coursetopic_parent_id,
    created_on as coursetopic_created_on,
    updated_on as coursetopic_updated_on
from deduplicated
