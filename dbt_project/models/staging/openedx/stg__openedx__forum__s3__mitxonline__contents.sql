-- Forum posts (threads and their comments) of the mitxonline Open edX instance, one row per post.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__openedx__forum__s3__mitxonline__contents') }}
),

deduplicated as ({{ deduplicate_raw_table('source', '_id') }})

select
    _id as forumcontent_id,
    _type as forumcontent_type,
    _type = 'CommentThread' as forumcontent_is_thread,
    {{ dbt.safe_cast('author_id', 'bigint') }} as user_id,
    course_id as courserun_readable_id,
    title as forumcontent_title,
    body as forumcontent_body,
    {{ dbt.safe_cast(json_text_at('votes', '$.up_count'), 'bigint') }} as forumcontent_upvote_count,
    created_at as forumcontent_created_on,
    updated_at as forumcontent_updated_on
from deduplicated
