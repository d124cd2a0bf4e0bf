-- The intermediate model must count every active enrollment of a run exactly once.
with expected as (
    select courserun_id, count(*) as n
    from {{ ref('stg__mitxonline__app__postgres__courses_courserunenrollment') }}
    where courserunenrollment_is_active
    group by courserun_id
)

select runs.courserun_id, runs.courserun_enrollment_count, expected.n
from {{ ref('int__mitxonline__course_runs') }} as runs
left join expected on runs.courserun_id = expected.courserun_id
where runs.courserun_enrollment_count <> coalesce(expected.n, 0)
