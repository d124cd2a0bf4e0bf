-- dim_video's grain: one row per platform and video block.
select platform, video_block_pk, count(*) as rows_per_video
from {{ ref('dim_video') }}
group by platform, video_block_pk
having count(*) > 1
