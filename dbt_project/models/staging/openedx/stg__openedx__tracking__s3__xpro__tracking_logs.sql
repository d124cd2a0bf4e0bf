-- Open edX tracking log events of xpro: events that carry an event_type, one row per event_hash.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__openedx__tracking__s3__xpro__tracking_logs') }}
    where event_type is not null
        and trim(event_type) <> ''
        and event_hash is not null
),

deduplicated as ({{ deduplicate_raw_table('source', 'event_hash') }})

select
    event_hash as useractivity_event_hash,
    user_id,
    username as user_username,
    course_id as courserun_readable_id,
    org_id as useractivity_org_id,
    event_type as useractivity_event_type,
    event_source as useractivity_event_source,
    "time" as useractivity_event_on,
    event as useractivity_event_object,
    context as useractivity_context_object,
    path as useractivity_path,
    page as useractivity_page_url,
    host as useractivity_host,
    ip as useractivity_ip,
    agent as useractivity_user_agent,
    session as useractivity_session_id,
    log_file as useractivity_log_file
from deduplicated
