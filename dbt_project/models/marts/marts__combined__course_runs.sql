-- One row per course run across platforms (current version), with enrollment and grade counts.
with course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

enrollments as (
    select
        courserun_fk,
        count(*) as courserun_enrollment_count,
        sum(case when enrollment_is_active then 1 else 0 end)
            as courserun_active_enrollment_count,
        sum(case when enrollment_mode = 'verified' then 1 else 0 end)
            as courserun_verified_enrollment_count
    from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
    group by courserun_fk
),

grades as (
    select
        courserun_fk,
        count(*) as courserun_graded_count,
        sum(case when coursegrade_is_passing then 1 else 0 end) as courserun_passing_count
    from {{ ref('tfact_course_run_grade') }}
    group by courserun_fk
)

select
    course_runs.courserun_pk,
    course_runs.platform,
    course_runs.courserun_readable_id,
    course_runs.course_readable_id,
    course_runs.courserun_title,
    course_runs.courserun_start_on,
    course_runs.courserun_end_on,
    course_runs.courserun_enrollment_start_on,
    course_runs.courserun_enrollment_end_on,
    course_runs.courserun_upgrade_deadline,
    course_runs.courserun_is_live,
    course_runs.courserun_is_micromasters,
    course_runs.courserun_semester,
    course_runs.courserun_passing_grade,
    coalesce(enrollments.courserun_enrollment_count, 0) as courserun_enrollment_count,
    coalesce(enrollments.courserun_active_enrollment_count, 0)
        as courserun_active_enrollment_count,
    coalesce(enrollments.courserun_verified_enrollment_count, 0)
        as courserun_verified_enrollment_count,
    coalesce(grades.courserun_graded_count, 0) as courserun_graded_count,
    coalesce(grades.courserun_passing_count, 0) as courserun_passing_count
from course_runs
left join enrollments on course_runs.courserun_pk = enrollments.courserun_fk
left join grades on course_runs.courserun_pk = grades.courserun_fk
