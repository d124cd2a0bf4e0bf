with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__podcast__rss__episodes') }}
)

select
    readable_id as episode_readable_id,
    channel_readable_id,
    title as episode_title,
    url as episode_url,
    audio_url as episode_audio_url,
    description as episode_description,
    published_at as episode_published_on
from source
