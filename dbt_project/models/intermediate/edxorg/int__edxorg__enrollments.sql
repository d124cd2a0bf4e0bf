-- edX.org enrollments in the shape the enrollment fact unions (one per learner and run,
-- archives and IRx merged in int__edxorg__mitx_courserun_enrollments).
select
    {{ platform_name('edxorg') }} as platform,
    courserunenrollment_source,
    courserunenrollment_id,
    'openedx' as user_account_source,
    user_id,
    courserun_readable_id,
    courserunenrollment_is_active,
    courserunenrollment_enrollment_mode,
    courserunenrollment_created_on
from {{ ref('int__edxorg__mitx_courserun_enrollments') }}
