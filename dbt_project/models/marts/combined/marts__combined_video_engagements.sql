-- Video player events of every platform with the learner, the course run and the video's
-- place in the run's current course structure, one row per event
-- (tfact_video_events.event_id), for reporting.
with events as (
    select * from {{ ref('tfact_video_events') }}
),

videos as (
    select
        videos.platform,
        videos.video_block_pk,
        videos.edx_video_id,
        content.block_title as video_title,
        content.block_index as video_index,
        content.chapter_title,
        content.chapter_block_id as chapter_id
    from {{ ref('dim_video') }} as videos
    left join {{ ref('dim_course_content') }} as content
        on videos.content_block_fk = content.content_block_pk
),

users as (
    select user_pk, full_name, email, address_country, highest_education, gender
    from {{ ref('dim_user') }}
),

runs as (
    select
        platform_readable_id,
        courserun_readable_id,
        courserun_title,
        course_readable_id,
        courserun_start_on,
        courserun_end_on,
        courserun_end_on is null or courserun_end_on > current_timestamp as courserun_is_current
    from {{ ref('dim_course_run') }}
    where is_current
)

select
    events.event_id as video_engagement_event_id,
    events.platform,
    events.courserun_readable_id,
    events.user_username,
    events.event_type as video_event_type,
    events.page_url,
    events.video_block_fk as video_id,
    videos.edx_video_id as video_edx_id,
    videos.video_title,
    videos.video_index,
    videos.chapter_title,
    videos.chapter_id,
    events.video_duration,
    events.video_position as video_currenttime,
    events.starting_position as video_old_time,
    events.ending_position as video_new_time,
    events.event_timestamp as video_event_timestamp,
    users.full_name as user_full_name,
    users.email as user_email,
    users.address_country as user_country_code,
    users.user_pk as user_hashed_id,
    users.highest_education as user_highest_education,
    users.gender as user_gender,
    runs.courserun_title,
    coalesce(runs.course_readable_id, {{ course_readable_id_from_courserun('events.courserun_readable_id') }})
        as course_readable_id,
    runs.courserun_start_on,
    runs.courserun_end_on,
    runs.courserun_is_current,
    {{ dbt.split_part('events.courserun_readable_id', "'+'", 2) }} as course_number
from events
left join videos
    on events.platform = videos.platform
    and events.video_block_fk = videos.video_block_pk
left join users on events.user_fk = users.user_pk
left join runs
    on events.platform = runs.platform_readable_id
    and events.courserun_readable_id = runs.courserun_readable_id
