-- MicroMasters runs enrich the integrated course runs: upgrade deadline, exam semester and
-- passing grade, matched on the edX course key.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__courses_courserun') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as courserun_id,
    course_id,
    title as courserun_title,
    edx_course_key as courserun_readable_id,
    start_date as courserun_start_on,
    end_date as courserun_end_on,
    enrollment_end as courserun_enrollment_end_on,
    upgrade_deadline as courserun_upgrade_deadline,
    exam_semester as courserun_exam_semester,
    passing_grade as courserun_passing_grade
from deduplicated
