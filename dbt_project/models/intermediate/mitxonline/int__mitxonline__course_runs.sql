with runs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }}
),

courses as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_course') }}
),

enrollments as (
    select
        courserun_id,
        count(*) as courserun_enrollment_count,
        sum(case when courserunenrollment_enrollment_mode = 'verified' then 1 else 0 end)
            as courserun_verified_enrollment_count
    from {{ ref('stg__mitxonline__app__postgres__courses_courserunenrollment') }}
    where courserunenrollment_is_active
    group by courserun_id
)

select
    'MITx Online' as platform,
    runs.courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    runs.courserun_tag,
    courses.course_id,
    courses.course_readable_id,
    runs.courserun_start_on,
    runs.courserun_end_on,
    runs.courserun_enrollment_start_on,
    runs.courserun_enrollment_end_on,
    runs.courserun_upgrade_deadline,
    runs.courserun_is_self_paced,
    runs.courserun_is_live and courses.course_is_live as courserun_is_live,
    coalesce(enrollments.courserun_enrollment_count, 0) as courserun_enrollment_count,
    coalesce(enrollments.courserun_verified_enrollment_count, 0)
        as courserun_verified_enrollment_count
from runs
inner join courses on runs.course_id = courses.course_id
left join enrollments on runs.courserun_id = enrollments.courserun_id
