-- MITx Online course-run grades kept by the app, one row per (learner, run).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitxonline__app__postgres__courses_courserungrade') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserungrade_id,
    course_run_id as courserun_id,
    user_id,
    grade as courserungrade_grade,
    letter_grade as courserungrade_letter_grade,
    set_by_admin as courserungrade_is_set_by_admin,
    passed as courserungrade_is_passing,
    created_on as courserungrade_created_on,
    updated_on as courserungrade_updated_on
from deduplicated
