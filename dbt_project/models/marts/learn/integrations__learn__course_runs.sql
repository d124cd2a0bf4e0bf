-- Live course runs for MIT Learn: the current version of every run marked live.
select
    courserun_pk,
    platform,
    platform_readable_id,
    courserun_readable_id,
    course_readable_id,
    courserun_title,
    courserun_start_on,
    courserun_end_on,
    courserun_enrollment_start_on,
    courserun_enrollment_end_on,
    courserun_upgrade_deadline,
    courserun_is_self_paced
from {{ ref('dim_course_run') }}
where is_current and courserun_is_live
