with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__ocw__studio__postgres__websites_website') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as website_id,
    name as website_name,
    title as website_title,
    short_id as website_short_id,
    publish_date as website_published_on,
    created_on as website_created_on,
    updated_on as website_updated_on
from deduplicated
