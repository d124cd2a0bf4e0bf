-- edX.org is one platform whatever export a row came from (archives, IRx): the same
-- enrollment (learner, course run) appears once in the edX.org enrollment model and once in
-- the enrollment fact, and the fact holds exactly the enrollments the model holds.
with int_enrollments as (
    select user_id, courserun_readable_id, count(*) as n
    from {{ ref('int__edxorg__mitx_courserun_enrollments') }}
    group by user_id, courserun_readable_id
),

fact_enrollments as (
    select user_id, courserun_readable_id, count(*) as n
    from {{ ref('tfact_course_run_enrollment') }}
    where platform_readable_id = 'edxorg'
    group by user_id, courserun_readable_id
)

select 'twice in int__edxorg__mitx_courserun_enrollments' as problem, user_id, courserun_readable_id, n
from int_enrollments
where n > 1

union all

select 'twice in tfact_course_run_enrollment' as problem, user_id, courserun_readable_id, n
from fact_enrollments
where n > 1

union all

select 'in one of the two models only' as problem,
    coalesce(i.user_id, f.user_id) as user_id,
    coalesce(i.courserun_readable_id, f.courserun_readable_id) as courserun_readable_id,
    coalesce(i.n, 0) - coalesce(f.n, 0) as n
from int_enrollments as i
full outer join fact_enrollments as f
    on i.user_id = f.user_id
    and i.courserun_readable_id = f.courserun_readable_id
where i.user_id is null or f.user_id is null
