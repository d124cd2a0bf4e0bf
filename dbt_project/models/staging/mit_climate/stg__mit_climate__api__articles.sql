with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mit_climate__api__articles') }}
)

select
    uuid as article_uuid,
    title as article_title,
    url as article_url,
    byline as article_byline,
    summary as article_summary,
    {{ json_string_array('topics') }} as article_topics,
    published as article_published_on,
    changed as article_updated_on
from source
