-- Video engagement per learner and video: one row per (platform, learner's Open edX account,
-- course run, video) with plays, completions, the time played and the latest activity, and
-- where the video sits in the run's current course structure (unit, subsection, section).
-- Incremental: a run recomputes, from tfact_video_events, only the rows whose learner and
-- video have events landed since its last run (new_rows), or whose run has a newer course
-- structure than the one their titles came from, and merges them.
{{ config(
    materialized="incremental",
    incremental_strategy="merge",
    unique_key="video_engagement_pk",
    on_schema_change="append_new_columns",
) }}

{#- Called on a full build too: the build records the events it read. -#}
{%- set landed = new_rows(ref('tfact_video_events')) %}

with events as (
    select * from {{ ref('tfact_video_events') }}
),

content as (
    select * from {{ ref('dim_course_content') }}
    where is_latest
),

structures as (
    select platform, courserun_readable_id, max(retrieved_at) as retrieved_at
    from content
    group by platform, courserun_readable_id
),

{% if is_incremental() %}
{%- set built = adapter.get_columns_in_relation(this) | map(attribute="name") | map("lower") | list %}
touched as (
    select distinct platform, openedx_user_id, courserun_readable_id, video_block_fk
    from {{ landed }} as landed
    union
    select built.platform, built.openedx_user_id, built.courserun_readable_id, built.video_id
    from {{ this }} as built
    inner join structures
        on built.platform = structures.platform
        and built.courserun_readable_id = structures.courserun_readable_id
    {%- if "coursestructure_retrieved_at" in built %}
    where built.coursestructure_retrieved_at is null
        or built.coursestructure_retrieved_at <> structures.retrieved_at
    {%- endif %}
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
),

titles as (
    select
        video.platform,
        video.block_id as video_block_fk,
        video.block_title as video_title,
        unit.block_title as unit_title,
        unit.content_block_pk as unit_content_fk,
        subsection.block_title as subsection_title,
        subsection.content_block_pk as subsection_content_fk,
        section.block_title as section_title,
        section.content_block_pk as section_content_fk
    from content as video
    left join content as unit
        on video.platform = unit.platform and video.parent_block_id = unit.block_id
    left join content as subsection
        on video.platform = subsection.platform and video.sequential_block_id = subsection.block_id
    left join content as section
        on video.platform = section.platform and video.chapter_block_id = section.block_id
    where video.block_category = 'video'
)

select
    {{ generate_surrogate_key([
        'engagement.platform', 'engagement.openedx_user_id',
        'engagement.courserun_readable_id', 'engagement.video_block_fk',
    ]) }} as video_engagement_pk,
    engagement.platform_fk,
    engagement.user_fk,
    engagement.platform,
    engagement.video_block_fk as video_id,
    engagement.openedx_user_id,
    engagement.user_username,
    engagement.courserun_readable_id,
    titles.video_title,
    titles.unit_title,
    titles.unit_content_fk,
    titles.subsection_title,
    titles.subsection_content_fk,
    titles.section_title,
    titles.section_content_fk,
    case when engagement.estimated_time_played > 0 then engagement.estimated_time_played else 0 end
        as estimated_time_played,
    engagement.latest_activity_timestamp,
    engagement.video_played_count,
    engagement.video_completed_count,
    structures.retrieved_at as coursestructure_retrieved_at,
    engagement._airbyte_extracted_at
from engagement
left join titles
    on engagement.platform = titles.platform
    and engagement.video_block_fk = titles.video_block_fk
left join structures
    on engagement.platform = structures.platform
    and engagement.courserun_readable_id = structures.courserun_readable_id
