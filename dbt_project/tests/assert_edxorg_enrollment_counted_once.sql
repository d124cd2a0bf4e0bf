-- edX.org is one platform whatever export a row came from (archives, IRx): the same
-- enrollment (learner, course run) appears once in the edX.org enrollment model and once in
-- the enrollment fact, and the fact holds exactly the model's enrollments. The fact side uses
-- only its foreign keys (platform_fk, user_fk, courserun_fk), which every enrollment fact has.
{%- set fact = 'tfact_enrollment' %}
with int_enrollments as (
    select
        accounts.user_fk,
        {{ generate_surrogate_key(["'edxorg'", 'enrollments.courserun_readable_id']) }} as courserun_fk,
        count(*) as n
    from {{ ref('int__edxorg__mitx_courserun_enrollments') }} as enrollments
    inner join {{ ref('int__combined__user_accounts') }} as accounts
        on accounts.platform_readable_id = 'edxorg'
        and enrollments.user_id = accounts.user_id
    group by 1, 2
),

int_rows as (
    select count(*) as n from {{ ref('int__edxorg__mitx_courserun_enrollments') }}
),

fact_enrollments as (
    select fact.user_fk, fact.courserun_fk, count(*) as n
    from {{ ref(fact) }} as fact
    inner join {{ ref('dim_platform') }} as platforms
        on fact.platform_fk = platforms.platform_pk
    where platforms.platform_readable_id = 'edxorg' and fact.enrollment_type = 'course'
    group by 1, 2
)

select 'an int row without its account' as problem, null as user_fk, null as courserun_fk,
    int_rows.n - (select coalesce(sum(n), 0) from int_enrollments) as n
from int_rows
where int_rows.n <> (select coalesce(sum(n), 0) from int_enrollments)

union all

select 'twice in int__edxorg__mitx_courserun_enrollments' as problem, user_fk, courserun_fk, n
from int_enrollments
where n > 1

union all

select 'twice in {{ fact }}' as problem, user_fk, courserun_fk, n
from fact_enrollments
where n > 1

union all

select 'in one of the two models only' as problem,
    coalesce(i.user_fk, f.user_fk) as user_fk,
    coalesce(i.courserun_fk, f.courserun_fk) as courserun_fk,
    coalesce(i.n, 0) - coalesce(f.n, 0) as n
from int_enrollments as i
full outer join fact_enrollments as f
    on i.user_fk = f.user_fk
    and i.courserun_fk = f.courserun_fk
where i.user_fk is null or f.user_fk is null
