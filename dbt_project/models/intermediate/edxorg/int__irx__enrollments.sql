-- Enrollments of the IRx (edX.org BigQuery) export; one row per (learner, course run).
select
    {{ platform_name('irx') }} as platform,
    'irx_bigquery' as courserunenrollment_source,
    cast(null as bigint) as courserunenrollment_id,
    'irx_bigquery' as user_account_source,
    user_id,
    courserun_readable_id,
    courserunenrollment_is_active,
    courserunenrollment_enrollment_mode,
    courserunenrollment_created_on
from {{ ref('stg__irx__edxorg__bigquery__course_enrollment') }}
