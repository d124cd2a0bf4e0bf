-- Video player events of the tracking logs of every deployment, one row per event (event_id).
-- Incremental: each deployment's staging rows landed since the model's last run (new_rows),
-- merged on event_id; a late event (old event time, landed now) is picked up when it lands.
{{ config(**event_fact_config()) }}

{%- set video_event_types = [
    'load_video', 'play_video', 'pause_video', 'seek_video', 'stop_video', 'complete_video',
    'speed_change_video', 'show_transcript', 'hide_transcript',
    'edx.video.closed_captions.shown', 'edx.video.closed_captions.hidden',
] %}

with events as (
    {%- for deployment in tracking_log_deployments() %}
    select
        '{{ deployment.platform }}' as platform,
        '{{ deployment.account_source }}' as user_account_source,
        useractivity_event_hash,
        openedx_user_id,
        user_username,
        courserun_readable_id,
        useractivity_event_type as event_type,
        useractivity_event_object as event_json,
        useractivity_timestamp as event_timestamp,
        useractivity_page_url as page_url,
        _airbyte_extracted_at
    from {{ new_rows(ref(deployment.staging), target_where="platform = '" ~ deployment.platform ~ "'") }} as staged
    where useractivity_event_type in ('{{ video_event_types | join("', '") }}')
        and openedx_user_id is not null
        and courserun_readable_id is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

parsed as (
    select
        events.*,
        {{ json_text_at('event_json', '$.id') }} as video_id,
        {{ json_number_at('event_json', '$.duration') }} as video_duration,
        {{ json_number_at('event_json', '$.currentTime') }} as video_position,
        {{ json_number_at('event_json', '$.old_time') }} as starting_position,
        {{ json_number_at('event_json', '$.new_time') }} as ending_position
    from events
),

platforms as (
    select platform_pk, platform_readable_id from {{ ref('dim_platform') }}
),

accounts as (
    select platform_readable_id, user_account_source, user_id, user_fk
    from {{ ref('int__combined__user_accounts') }}
)

select
    {{ dbt.concat(["parsed.platform", "':'", "parsed.useractivity_event_hash"]) }} as event_id,
    platforms.platform_pk as platform_fk,
    accounts.user_fk,
    parsed.platform,
    parsed.openedx_user_id,
    parsed.user_username,
    parsed.courserun_readable_id,
    parsed.event_type,
    case
        when parsed.video_id like 'block-v1:%' then parsed.video_id
        else {{ block_usage_key('parsed.courserun_readable_id', 'video', 'parsed.video_id') }}
    end as video_block_fk,
    parsed.video_duration,
    parsed.video_position,
    parsed.starting_position,
    parsed.ending_position,
    parsed.page_url,
    {{ iso8601_text('parsed.event_timestamp') }} as event_timestamp_iso8601,
    parsed.event_timestamp,
    {{ time_key('parsed.event_timestamp') }} as time_fk,
    {{ date_key('parsed.event_timestamp') }} as date_fk,
    parsed.event_json,
    parsed._airbyte_extracted_at
from parsed
inner join platforms
    on parsed.platform = platforms.platform_readable_id
left join accounts
    on parsed.platform = accounts.platform_readable_id
    and parsed.user_account_source = accounts.user_account_source
    and parsed.openedx_user_id = accounts.user_id
