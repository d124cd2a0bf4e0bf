with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__grades_persistentcoursegrade') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserungrade_id,
    course_id as courserun_readable_id,
    user_id,
    percent_grade as courserungrade_grade,
    -- Open edX stores an empty letter grade for learners who have not passed.
    nullif(letter_grade, '') as courserungrade_letter_grade,
    passed_timestamp as courserungrade_passed_on,
    created as courserungrade_created_on,
    modified as courserungrade_updated_on
from deduplicated
