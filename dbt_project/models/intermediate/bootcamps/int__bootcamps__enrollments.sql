-- Bootcamp enrollments; user_id is the Bootcamps app user (int__bootcamps__users).
-- Bootcamps have no enrollment modes.
with enrollments as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamprunenrollment') }}
),

runs as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamprun') }}
)

select
    {{ platform_name('bootcamps') }} as platform,
    'bootcamps_app' as courserunenrollment_source,
    enrollments.courserunenrollment_id,
    'app' as user_account_source,
    enrollments.user_id,
    runs.courserun_readable_id,
    enrollments.courserunenrollment_is_active,
    cast(null as {{ dbt.type_string() }}) as courserunenrollment_enrollment_mode,
    enrollments.courserunenrollment_created_on
from enrollments
inner join runs on enrollments.courserun_id = runs.courserun_id
