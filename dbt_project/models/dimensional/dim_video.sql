-- Videos of the course runs, one row per video block (video_block_pk, its usage key): the
-- videos of each run's current course structure, with their settings, and the videos seen
-- only in the tracking logs (runs whose structure has not landed), whose settings are null.
-- video_duration is the longest length the player reported for the video.
with content as (
    select * from {{ ref('dim_course_content') }}
    where is_latest and block_category = 'video'
),

played as (
    select
        video_block_fk,
        platform,
        courserun_readable_id,
        max(video_duration) as video_duration
    from {{ ref('tfact_video_events') }}
    group by video_block_fk, platform, courserun_readable_id
),

videos as (
    select
        coalesce(content.block_id, played.video_block_fk) as video_block_pk,
        coalesce(content.platform, played.platform) as platform,
        content.content_block_pk as content_block_fk,
        coalesce(content.courserun_readable_id, played.courserun_readable_id)
            as courserun_readable_id,
        content.block_title,
        content.block_metadata,
        played.video_duration
    from content
    full outer join played
        on content.platform = played.platform
        and content.block_id = played.video_block_fk
)

select
    video_block_pk,
    platform,
    content_block_fk,
    courserun_readable_id,
    {{ json_text_at('block_metadata', '$.edx_video_id') }} as video_edx_uuid,
    coalesce({{ json_text_at('block_metadata', '$.display_name') }}, block_title) as video_name,
    {{ json_text_at('block_metadata', '$.start') }} as start_date,
    {{ json_text_at('block_metadata', '$.due') }} as due_date,
    {{ json_text_at('block_metadata', '$.edx_video_id') }} as edx_video_id,
    {{ json_text_of('block_metadata', '$.html5_sources') }} as html5_sources,
    {{ json_text_of('block_metadata', '$.transcripts') }} as transcripts,
    video_duration
from videos
