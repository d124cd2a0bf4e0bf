-- Video engagement per learner and video: one row per (platform, learner's Open edX account,
-- course run, video) with plays, completions, the time played and the latest activity.
-- Incremental: a run recomputes, from tfact_video_events, only the rows whose learner and
-- video have events landed since its newest one (with the lookback), and merges them.
{{ config(
    materialized="incremental",
    incremental_strategy="merge",
    unique_key="video_engagement_pk",
    on_schema_change="append_new_columns",
) }}

with events as (
    select * from {{ ref('tfact_video_events') }}
),

{% if is_incremental() %}
touched as (
    select distinct platform, openedx_user_id, courserun_readable_id, video_block_fk
    from events
    where {{ ingested_since('_airbyte_extracted_at') }}
),

selected as (
    select events.*
    from events
    inner join touched
        on events.platform = touched.platform
        and events.openedx_user_id = touched.openedx_user_id
        and events.courserun_readable_id = touched.courserun_readable_id
        and events.video_block_fk = touched.video_block_fk
),
{% else %}
selected as (
    select * from events
),
{% endif %}

engagement as (
    select
        platform,
        openedx_user_id,
        courserun_readable_id,
        video_block_fk,
        max(platform_fk) as platform_fk,
        max(user_fk) as user_fk,
        max(user_username) as user_username,
        -- The furthest point reached less where the learner first pressed play.
        max(coalesce(video_position, ending_position))
            - min(case when event_type = 'play_video' then video_position end)
            as estimated_time_played,
        max(event_timestamp) as latest_activity_timestamp,
        sum(case when event_type = 'play_video' then 1 else 0 end) as video_played_count,
        sum(case when event_type = 'complete_video' then 1 else 0 end) as video_completed_count,
        max(_airbyte_extracted_at) as _airbyte_extracted_at
    from selected
    group by platform, openedx_user_id, courserun_readable_id, video_block_fk
)

select
    {{ generate_surrogate_key(['platform', 'openedx_user_id', 'courserun_readable_id', 'video_block_fk']) }}
        as video_engagement_pk,
    platform_fk,
    user_fk,
    platform,
    video_block_fk as video_id,
    openedx_user_id,
    user_username,
    courserun_readable_id,
    case when estimated_time_played > 0 then estimated_time_played else 0 end
        as estimated_time_played,
    latest_activity_timestamp,
    video_played_count,
    video_completed_count,
    _airbyte_extracted_at
from engagement
