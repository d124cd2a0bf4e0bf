-- Enrollment counts per platform and enrollment mode.
select
    platform,
    coalesce(courserunenrollment_enrollment_mode, 'none') as courserunenrollment_enrollment_mode,
    count(*) as enrollment_count,
    sum(case when courserunenrollment_is_active then 1 else 0 end) as active_enrollment_count,
    count(distinct courserun_readable_id) as courserun_count,
    count(distinct user_id) as learner_count
from {{ ref('marts__combined__course_enrollments') }}
group by platform, coalesce(courserunenrollment_enrollment_mode, 'none')
