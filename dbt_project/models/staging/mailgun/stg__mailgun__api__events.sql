with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mailgun__api__events') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as emailevent_id,
    event as emailevent_type,
    recipient as emailevent_recipient_email,
    "timestamp" as emailevent_on,
    {{ json_string_array('tags') }} as emailevent_tags,
    {{ dbt.safe_cast(json_text_at('delivery_status', '$.code'), 'bigint') }}
        as emailevent_delivery_status_code,
    {{ json_text_at('delivery_status', '$.message') }} as emailevent_delivery_status_message
from deduplicated
