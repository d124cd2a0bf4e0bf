-- Enrollments in course runs across platforms, keyed to dim_course_run (courserun_pk) and
-- dim_user (user_pk; null for Bootcamps, whose users are not ingested).
with enrollments as (
    {%- for platform_readable_id, model in [
        ('mitxonline', 'int__mitxonline__enrollments'),
        ('xpro', 'int__xpro__enrollments'),
        ('bootcamps', 'int__bootcamps__enrollments'),
        ('edxorg', 'int__edxorg__enrollments'),
    ] %}
    select '{{ platform_readable_id }}' as platform_readable_id, *
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

users as (
    select * from {{ ref('int__combined__user_accounts') }}
)

select
    {{ generate_surrogate_key([
        'enrollments.platform_readable_id', 'enrollments.courserunenrollment_source',
        'enrollments.courserunenrollment_id', 'enrollments.user_id',
        'enrollments.courserun_readable_id',
    ]) }} as courserunenrollment_pk,
    course_runs.courserun_pk as courserun_fk,
    users.user_fk,
    course_runs.platform_fk,
    enrollments.platform,
    enrollments.platform_readable_id,
    enrollments.courserunenrollment_source,
    enrollments.courserunenrollment_id,
    enrollments.user_account_source,
    enrollments.user_id,
    enrollments.courserun_readable_id,
    enrollments.courserunenrollment_is_active,
    enrollments.courserunenrollment_enrollment_mode,
    enrollments.courserunenrollment_created_on
from enrollments
left join course_runs
    on enrollments.platform_readable_id = course_runs.platform_readable_id
    and enrollments.courserun_readable_id = course_runs.courserun_readable_id
left join users
    on enrollments.platform_readable_id = users.platform_readable_id
    and enrollments.user_account_source = users.user_account_source
    and enrollments.user_id = users.user_id
