-- The topics tagged on xPRO course pages, one row per (page, topic).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__xpro__app__postgres__cms_coursepage_topics') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursepage_topic_id,
    coursepage_id as wagtail_page_id,
    coursetopic_id
from deduplicated
