-- The instructors a MITx Online course or program page lists, one row per link, in the page's
-- order.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__cms_instructorpagelink') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as instructorpagelink_id,
    page_id as wagtail_page_id,
    linked_instructor_page_id as instructor_wagtail_page_id,
    sort_order as instructorpagelink_sort_order
from deduplicated
