-- dim_course_content keeps each retrieved structure whole: every block but the course has its
-- parent in the same retrieval of its run, every block below a chapter names that chapter,
-- a block's sequential is a child of its chapter, and every video of a current structure is
-- the dim_video row of that block.
with content as (
    select * from {{ ref('dim_course_content') }}
),

orphans as (
    select child.content_block_pk, 'parent not in the same retrieval' as problem
    from content as child
    left join content as parent
        on child.platform = parent.platform
        and child.courserun_readable_id = parent.courserun_readable_id
        and child.retrieved_at = parent.retrieved_at
        and child.parent_block_id = parent.block_id
    where child.block_category <> 'course' and parent.block_id is null
),

unplaced as (
    select content_block_pk, 'no chapter' as problem
    from content
    where block_category not in ('course', 'chapter') and chapter_block_id is null
),

misplaced as (
    select block.content_block_pk, 'sequential outside its chapter' as problem
    from content as block
    inner join content as sequential
        on block.platform = sequential.platform
        and block.courserun_readable_id = sequential.courserun_readable_id
        and block.retrieved_at = sequential.retrieved_at
        and block.sequential_block_id = sequential.block_id
    where sequential.parent_block_id <> block.chapter_block_id
),

lost_videos as (
    select content.content_block_pk, 'video missing from dim_video' as problem
    from content
    left join {{ ref('dim_video') }} as videos
        on content.content_block_pk = videos.content_block_fk
        and content.block_id = videos.video_block_pk
    where content.is_latest and content.block_category = 'video' and videos.video_block_pk is null
)

select * from orphans
union all
select * from unplaced
union all
select * from misplaced
union all
select * from lost_videos
