-- A video played in a course run whose course structure has landed is a video block of the
-- run's current structure, named there (every platform: the Open edX deployments' exports and
-- edX.org's course exports). A row here is a played video its run's structure lacks.
with runs as (
    select distinct platform, courserun_readable_id
    from {{ ref('dim_course_content') }}
    where is_latest
)

select videos.platform, videos.courserun_readable_id, videos.video_block_pk
from {{ ref('dim_video') }} as videos
inner join runs
    on videos.platform = runs.platform
    and videos.courserun_readable_id = runs.courserun_readable_id
where videos.content_block_fk is null or videos.video_name is null
