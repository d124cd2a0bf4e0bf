-- A partner's run that xPRO lists (the xPRO run's external course run id is the partner's run
-- code) is that xPRO run: each of its partner enrollments resolves in tfact_enrollment to the
-- xPRO run's current row of dim_course_run, and dim_course_run holds no partner run under that
-- code. Rows: enrollments resolved elsewhere (or not at all) and partner runs counted twice.
with xpro_runs as (
    select courserun_readable_id, courserun_external_readable_id
    from {{ ref('stg__xpro__app__postgres__courses_courserun') }}
    where courserun_external_readable_id is not null
),

partner_enrollments as (
    {%- for platform_readable_id, model in [
        ('emeritus', 'stg__emeritus__api__bigquery__user_enrollments'),
        ('global_alumni', 'stg__global_alumni__api__bigquery__user_enrollments'),
    ] %}
    select '{{ platform_readable_id }}' as platform_readable_id, user_id, courserun_external_readable_id
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

expected as (
    select
        partner_enrollments.platform_readable_id,
        cast(partner_enrollments.user_id as bigint) as user_id,
        xpro_runs.courserun_readable_id
    from partner_enrollments
    inner join xpro_runs
        on partner_enrollments.courserun_external_readable_id = xpro_runs.courserun_external_readable_id
),

resolved as (
    select enrollments.platform_readable_id, enrollments.user_id, runs.courserun_readable_id
    from {{ ref('tfact_enrollment') }} as enrollments
    inner join {{ ref('dim_course_run') }} as runs
        on enrollments.courserun_fk = runs.courserun_pk
        and runs.is_current
        and runs.platform_readable_id = 'xpro'
    where enrollments.platform_readable_id in ('emeritus', 'global_alumni')
)

select expected.platform_readable_id, expected.user_id, expected.courserun_readable_id
from expected
left join resolved
    on expected.platform_readable_id = resolved.platform_readable_id
    and expected.user_id = resolved.user_id
    and expected.courserun_readable_id = resolved.courserun_readable_id
where resolved.user_id is null

union all

select runs.platform_readable_id, null, runs.courserun_readable_id
from {{ ref('dim_course_run') }} as runs
inner join xpro_runs on runs.courserun_readable_id = xpro_runs.courserun_external_readable_id
where runs.platform_readable_id in ('emeritus', 'global_alumni')
