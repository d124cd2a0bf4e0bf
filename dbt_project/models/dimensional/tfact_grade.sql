-- Course-run grades, one row per grade a platform recorded (grade_key = surrogate of platform
-- and grade id): the MITx Online and xPRO apps' course-run grades and MicroMasters final
-- grades (edX course keys: the edX.org run when there is one, else the MITx Online run), and
-- edX.org grades (grade_id = surrogate of user id and run: that source has no grade id nor
-- grade timestamps).
{%- set string = dbt.type_string() %}
with grades as (
    {%- for platform_readable_id, prefix in [('mitxonline', 'mitxonline'), ('xpro', 'xpro')] %}
    select
        '{{ platform_readable_id }}' as platform_readable_id,
        cast(grades.courserungrade_id as {{ string }}) as grade_id,
        'app' as user_account_source,
        grades.user_id,
        runs.courserun_readable_id,
        grades.courserungrade_grade as grade_value,
        grades.courserungrade_is_passing as is_passing,
        grades.courserungrade_letter_grade as letter_grade,
        grades.courserungrade_created_on as grade_created_on,
        grades.courserungrade_updated_on as grade_updated_on
    from {{ ref('stg__' ~ prefix ~ '__app__postgres__courses_courserungrade') }} as grades
    inner join {{ ref('stg__' ~ prefix ~ '__app__postgres__courses_courserun') }} as runs
        on grades.courserun_id = runs.courserun_id

    union all
    {%- endfor %}

    select
        'micromasters',
        cast(grades.courserungrade_id as {{ string }}),
        'app',
        grades.user_id,
        runs.courserun_readable_id,
        grades.courserungrade_grade,
        grades.courserungrade_is_passing,
        cast(null as {{ string }}),
        grades.courserungrade_created_on,
        grades.courserungrade_updated_on
    from {{ ref('stg__micromasters__app__postgres__grades_courserungrade') }} as grades
    inner join {{ ref('stg__micromasters__app__postgres__courses_courserun') }} as runs
        on grades.courserun_id = runs.courserun_id

    union all

    select
        'edxorg',
        {{ generate_surrogate_key(['user_id', 'courserun_readable_id']) }},
        'openedx',
        user_id,
        courserun_readable_id,
        courserungrade_user_grade,
        courserungrade_is_passing,
        cast(null as {{ string }}),
        cast(null as {{ type_timestamptz() }}),
        cast(null as {{ type_timestamptz() }})
    from {{ ref('int__edxorg__mitx_courserun_grades') }}
),

course_runs as (
    select * from {{ ref('dim_course_run') }}
    where is_current
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    {{ generate_surrogate_key(['grades.platform_readable_id', 'grades.grade_id']) }} as grade_key,
    grades.grade_id,
    {{ date_key('grades.grade_created_on') }} as grade_date_key,
    accounts.user_fk,
    coalesce(own_run.courserun_pk, edxorg_run.courserun_pk, mitxonline_run.courserun_pk)
        as courserun_fk,
    platforms.platform_pk as platform_fk,
    platforms.platform_name as platform,
    grades.platform_readable_id,
    grades.grade_value,
    grades.is_passing,
    grades.letter_grade,
    grades.grade_created_on,
    grades.grade_updated_on
from grades
inner join platforms on grades.platform_readable_id = platforms.platform_readable_id
left join accounts
    on grades.platform_readable_id = accounts.platform_readable_id
    and grades.user_account_source = accounts.user_account_source
    and grades.user_id = accounts.user_id
left join course_runs as own_run
    on grades.platform_readable_id = own_run.platform_readable_id
    and grades.courserun_readable_id = own_run.courserun_readable_id
left join course_runs as edxorg_run
    on grades.platform_readable_id = 'micromasters'
    and edxorg_run.platform_readable_id = 'edxorg'
    and grades.courserun_readable_id = edxorg_run.courserun_readable_id
left join course_runs as mitxonline_run
    on grades.platform_readable_id = 'micromasters'
    and mitxonline_run.platform_readable_id = 'mitxonline'
    and grades.courserun_readable_id = mitxonline_run.courserun_readable_id
