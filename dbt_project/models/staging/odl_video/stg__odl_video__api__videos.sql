with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__odl_video__api__videos') }}
)

select
    "key" as video_key,
    collection_key,
    title as video_title,
    description as video_description,
    status as video_status,
    duration_seconds as video_duration_seconds,
    is_public as video_is_public,
    multiangle as video_is_multiangle,
    coalesce({{ json_array_size('transcripts') }}, 0) as video_transcript_count,
    {{ json_array_distinct_field('transcripts', 'language') }} as video_transcript_languages,
    created_at as video_created_on,
    updated_at as video_updated_on
from source
