-- One row per enrollment across platforms, with the run (current version) and the learner.
with enrollments as (
    select * from {{ ref('tfact_enrollment') }}
    where enrollment_type = 'course'
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
)

select
    enrollments.enrollment_key as courserunenrollment_pk,
    enrollments.platform,
    enrollments.enrollment_id as courserunenrollment_id,
    enrollments.courserun_readable_id,
    course_runs.course_readable_id,
    course_runs.courserun_title,
    course_runs.courserun_start_on,
    course_runs.courserun_end_on,
    course_runs.courserun_upgrade_deadline,
    course_runs.courserun_is_micromasters,
    enrollments.user_id,
    accounts.user_username,
    accounts.user_email,
    accounts.user_full_name,
    accounts.user_country,
    enrollments.enrollment_is_active as courserunenrollment_is_active,
    enrollments.enrollment_mode as courserunenrollment_enrollment_mode,
    enrollments.enrollment_created_on as courserunenrollment_created_on
from enrollments
left join course_runs on enrollments.courserun_fk = course_runs.courserun_pk
left join accounts
    on enrollments.platform_readable_id = accounts.platform_readable_id
    and enrollments.user_account_source = accounts.user_account_source
    and enrollments.user_id = accounts.user_id
