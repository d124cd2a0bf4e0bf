-- MicroMasters final grades of learners in course runs (grades_finalgrade), one row per grade.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__grades_finalgrade') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserungrade_id,
    user_id,
    course_run_id as courserun_id,
    grade as courserungrade_grade,
    passed as courserungrade_is_passing,
    status as courserungrade_status,
    course_run_paid_on_edx as courserungrade_courserun_paid_on_edx,
    created_on as courserungrade_created_on,
    updated_on as courserungrade_updated_on
from deduplicated
