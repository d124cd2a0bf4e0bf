-- edX.org enrollments in MIT course runs, from the archives.
select
    {{ platform_name('edxorg') }} as platform,
    'edxorg_archive' as courserunenrollment_source,
    courserunenrollment_id,
    'edxorg_archive' as user_account_source,
    user_id,
    courserun_readable_id,
    courserunenrollment_is_active,
    courserunenrollment_enrollment_mode,
    courserunenrollment_created_on
from {{ ref('stg__edxorg__s3__tables__student_courseenrollment') }}
