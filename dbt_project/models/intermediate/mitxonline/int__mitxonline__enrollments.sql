-- MITx Online enrollments from the app (the source of record; learners are app users).
with enrollments as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courserunenrollment') }}
),

runs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    'mitxonline_app' as courserunenrollment_source,
    enrollments.courserunenrollment_id,
    'app' as user_account_source,
    enrollments.user_id,
    runs.courserun_readable_id,
    enrollments.courserunenrollment_is_active,
    enrollments.courserunenrollment_enrollment_mode,
    enrollments.courserunenrollment_created_on
from enrollments
inner join runs on enrollments.courserun_id = runs.courserun_id
