-- xPRO enrollments, from Open edX (they carry the enrollment mode and the Open edX user id of
-- int__xpro__users; the app's enrollments point at app users, which are not ingested).
select
    {{ platform_name('xpro') }} as platform,
    'xpro_openedx' as courserunenrollment_source,
    courserunenrollment_id,
    'openedx' as user_account_source,
    user_id,
    courserun_readable_id,
    courserunenrollment_is_active,
    courserunenrollment_enrollment_mode,
    courserunenrollment_created_on
from {{ ref('stg__xpro__openedx__mysql__student_courseenrollment') }}
