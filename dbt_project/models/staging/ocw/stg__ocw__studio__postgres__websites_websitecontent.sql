with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__ocw__studio__postgres__websites_websitecontent') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as websitecontent_id,
    website_id,
    text_id as websitecontent_text_id,
    title as websitecontent_title,
    type as websitecontent_type,
    metadata as websitecontent_metadata,
    created_on as websitecontent_created_on,
    updated_on as websitecontent_updated_on
from deduplicated
