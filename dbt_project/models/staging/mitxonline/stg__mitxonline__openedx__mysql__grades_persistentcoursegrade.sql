with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__openedx__mysql__grades_persistentcoursegrade') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as coursegrade_id,
    user_id,
    course_id as courserun_readable_id,
    percent_grade as coursegrade_grade,
    -- Open edX stores an empty letter grade for learners who have not passed.
    nullif(letter_grade, '') as coursegrade_letter_grade,
    passed_timestamp is not null as coursegrade_is_passing,
    passed_timestamp as coursegrade_passed_on,
    created as coursegrade_created_on,
    modified as coursegrade_modified_on
from deduplicated
