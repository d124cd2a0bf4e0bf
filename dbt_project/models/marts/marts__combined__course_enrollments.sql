-- One row per enrollment across platforms, with the run (current version) and the learner.
with enrollments as (
    select * from {{ ref('tfact_course_run_enrollment') }}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

users as (
    select * from {{ ref('dim_user') }}
)

select
    enrollments.courserunenrollment_pk,
    enrollments.platform,
    enrollments.courserunenrollment_id,
    enrollments.courserun_readable_id,
    course_runs.course_readable_id,
    course_runs.courserun_title,
    course_runs.courserun_start_on,
    course_runs.courserun_end_on,
    course_runs.courserun_upgrade_deadline,
    course_runs.courserun_is_micromasters,
    enrollments.user_id,
    users.user_username,
    users.user_email,
    users.user_full_name,
    users.user_country,
    enrollments.courserunenrollment_is_active,
    enrollments.courserunenrollment_enrollment_mode,
    enrollments.courserunenrollment_created_on
from enrollments
left join course_runs on enrollments.courserun_fk = course_runs.courserun_pk
left join users on enrollments.user_fk = users.user_pk
