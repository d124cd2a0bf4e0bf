-- Videos of the course runs, one row per video block (video_block_pk, its usage key), as the
-- tracking logs' video events name them; the length is the longest one the player reported.
with videos as (
    select
        video_block_fk as video_block_pk,
        platform,
        courserun_readable_id,
        max(video_duration) as video_duration
    from {{ ref('tfact_video_events') }}
    group by video_block_fk, platform, courserun_readable_id
)

select
    video_block_pk,
    platform,
    courserun_readable_id,
    {{ dbt.split_part('video_block_pk', "'@'", 3) }} as video_edx_uuid,
    video_duration
from videos
