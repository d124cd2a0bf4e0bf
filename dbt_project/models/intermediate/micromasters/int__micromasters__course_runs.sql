-- MicroMasters course runs with their course and program: the upgrade deadline, exam
-- semester and passing grade that enrich dim_course_run (matched on the edX course key).
with runs as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_courserun') }}
),

courses as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_course') }}
),

programs as (
    select * from {{ ref('stg__micromasters__app__postgres__courses_program') }}
)

select
    {{ platform_name('micromasters') }} as platform,
    runs.courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    courses.course_id,
    courses.course_readable_id,
    courses.course_title,
    programs.program_id,
    programs.program_title,
    runs.courserun_start_on,
    runs.courserun_end_on,
    runs.courserun_enrollment_end_on,
    runs.courserun_upgrade_deadline,
    runs.courserun_exam_semester,
    runs.courserun_passing_grade
from runs
left join courses on runs.course_id = courses.course_id
left join programs on courses.program_id = programs.program_id
