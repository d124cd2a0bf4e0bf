-- Bootcamp runs (current state); a bootcamp plays the role of a course.
with runs as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamprun') }}
),

bootcamps as (
    select * from {{ ref('stg__bootcamps__app__postgres__klasses_bootcamp') }}
)

select
    {{ platform_name('bootcamps') }} as platform,
    runs.courserun_id,
    runs.courserun_readable_id,
    runs.courserun_title,
    bootcamps.course_id,
    bootcamps.course_readable_id,
    bootcamps.course_title,
    runs.courserun_start_on,
    runs.courserun_end_on
from runs
inner join bootcamps on runs.course_id = bootcamps.course_id
