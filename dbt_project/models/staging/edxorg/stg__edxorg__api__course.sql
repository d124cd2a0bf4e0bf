-- MITx courses on edX.org from the discovery API (S3 report), one row per course.
-- course_readable_id is the course-v1 form of the course key (course-v1:MITx+6.00.1x).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__s3__mitx_course') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'course_key') }})

select
    {{ dbt.concat(["'course-v1:'", 'course_key']) }} as course_readable_id,
    course_key,
    title as course_title,
    short_description as course_description,
    full_description as course_full_description,
    level_type as course_level,
    course_type,
    owner as course_organizations,
    marketing_url as course_marketing_url,
    {{ json_text_at('image', '$.url') }} as course_image_url,
    {{ json_array_distinct_field('subjects', 'name') }} as course_topics,
    nullif(prerequisites_raw, '') as course_prerequisites_text,
    modified as course_updated_at
from deduplicated
