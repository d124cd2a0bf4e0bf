with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__podcast__rss__channels') }}
)

select
    readable_id as channel_readable_id,
    title as channel_title,
    url as channel_url,
    description as channel_description
from source
