-- xPRO course runs (current state) with their course.
with runs as (
    select * from {{ ref('stg__xpro__app__postgres__courses_courserun') }}
),

courses as (
    select * from {{ ref('stg__xpro__app__postgres__courses_course') }}
)

select
    {{ platform_name('xpro') }} as platform,
    runs.courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    runs.courserun_tag,
    courses.course_id,
    courses.course_readable_id,
    courses.course_title,
    runs.courserun_start_on,
    runs.courserun_end_on,
    runs.courserun_is_live and courses.course_is_live as courserun_is_live
from runs
inner join courses on runs.course_id = courses.course_id
