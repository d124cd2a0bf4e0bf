-- Live courses for MIT Learn, with their number of live runs and next run start.
with runs as (
    select * from {{ ref('integrations__learn__course_runs') }}
)

select
    courses.course_pk,
    courses.platform,
    courses.platform_readable_id,
    courses.course_readable_id,
    courses.course_title,
    count(runs.courserun_pk) as course_live_run_count,
    min(runs.courserun_start_on) as course_first_live_run_start_on
from {{ ref('dim_course') }} as courses
inner join runs
    on courses.platform_readable_id = runs.platform_readable_id
    and courses.course_readable_id = runs.course_readable_id
where courses.course_is_live
group by
    courses.course_pk,
    courses.platform,
    courses.platform_readable_id,
    courses.course_readable_id,
    courses.course_title
