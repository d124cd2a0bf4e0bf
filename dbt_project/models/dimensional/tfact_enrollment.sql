-- Enrollments across platforms, one row per enrollment: a learner in a course run
-- (enrollment_type 'course') or in a program ('program'). enrollment_key is the surrogate of
-- (platform, type, source system, enrollment id, learner, run or program): the source's id
-- alone where it has one, the learner and run where it has none (edX.org's IRx export).
-- Learners resolve through int__combined__user_accounts (user_fk), runs through the current
-- row of dim_course_run (courserun_fk), programs through dim_program's key (program_fk).
{#-
  Course enrollments, one entry per platform: its intermediate model (one row per
  enrollment, courserunenrollment_* columns); the application's enrollment table ('app',
  joined on courserunenrollment_id), which alone has the status and the update time (Open
  edX keeps neither: null without it), or 'own_status' where the intermediate model carries
  them (xPRO's partners' exports); whether the enrollment exists on Open edX
  ('is_edx_enrolled', SQL: enrollments read from an Open edX database or edX.org's exports
  of one do by definition, Bootcamps do not run on Open edX); 'order_id', SQL, the order the
  enrollment record itself points at (only xPRO's app keeps one: null elsewhere, where
  tfact_order's courserun_fk attributes orders to runs); 'run_platform', SQL, the platform
  whose run courserun_readable_id names where it may not be the enrollment's own (a partner's
  enrollment in a run xPRO lists); and 'literals', the columns a model lacks because they are
  the same for all its rows.
-#}
{%- set course_enrollment_models = [
    {'platform': 'mitxonline', 'model': 'int__mitxonline__enrollments',
     'app': 'stg__mitxonline__app__postgres__courses_courserunenrollment',
     'is_edx_enrolled': 'app.courserunenrollment_is_edx_enrolled'},
    {'platform': 'bootcamps', 'model': 'int__bootcamps__enrollments',
     'app': 'stg__bootcamps__app__postgres__klasses_bootcamprunenrollment',
     'is_edx_enrolled': 'false'},
    {'platform': 'xpro', 'model': 'int__xpro__enrollments',
     'app': 'stg__xpro__app__postgres__courses_courserunenrollment',
     'is_edx_enrolled': 'enrollments.courserunenrollment_is_edx_enrolled',
     'order_id': 'app.ecommerce_order_id'},
    {'platform': 'edxorg', 'model': 'int__edxorg__mitx_courserun_enrollments',
     'is_edx_enrolled': 'true', 'literals': {'user_account_source': 'openedx'}},
    {'platform': 'residential', 'model': 'int__mitxresidential__courserun_enrollments',
     'is_edx_enrolled': 'true',
     'literals': {'courserunenrollment_source': 'mitx_openedx', 'user_account_source': 'openedx'}},
    {'platform': 'emeritus', 'model': 'int__emeritus__enrollments', 'is_edx_enrolled': 'false',
     'own_status': true, 'run_platform': 'enrollments.courserun_platform_readable_id'},
    {'platform': 'global_alumni', 'model': 'int__global_alumni__enrollments',
     'is_edx_enrolled': 'false', 'own_status': true,
     'run_platform': 'enrollments.courserun_platform_readable_id'},
] %}
with course_enrollments as (
    {%- for source in course_enrollment_models %}
    {%- set columns = {} %}
    {%- for column in ['courserunenrollment_source', 'user_account_source'] %}
    {%- set literal = source.get('literals', {}).get(column) %}
    {%- do columns.update({column: "'" ~ literal ~ "'" if literal else 'enrollments.' ~ column}) %}
    {%- endfor %}
    select
        '{{ source.platform }}' as platform_readable_id,
        {{ columns.courserunenrollment_source }} as enrollment_source,
        enrollments.courserunenrollment_id as enrollment_id,
        {{ columns.user_account_source }} as user_account_source,
        enrollments.user_id,
        enrollments.courserun_readable_id,
        {{ source.get('run_platform', "'" ~ source.platform ~ "'") }} as courserun_platform_readable_id,
        enrollments.courserunenrollment_is_active as enrollment_is_active,
        enrollments.courserunenrollment_enrollment_mode as enrollment_mode,
        {%- if source.app %}
        app.courserunenrollment_enrollment_status as enrollment_status,
        {%- elif source.own_status %}
        enrollments.courserunenrollment_enrollment_status as enrollment_status,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as enrollment_status,
        {%- endif %}
        enrollments.courserunenrollment_created_on as enrollment_created_on,
        {%- if source.app %}
        app.courserunenrollment_updated_on as enrollment_updated_on,
        {%- elif source.own_status %}
        enrollments.courserunenrollment_updated_on as enrollment_updated_on,
        {%- else %}
        cast(null as {{ type_timestamptz() }}) as enrollment_updated_on,
        {%- endif %}
        {{ source.is_edx_enrolled }} as enrollment_is_edx_enrolled,
        cast({{ source.get('order_id', 'null') }} as bigint) as order_id
    from {{ ref(source.model) }} as enrollments
    {%- if source.app %}
    left join {{ ref(source.app) }} as app
        on enrollments.courserunenrollment_id = app.courserunenrollment_id
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

-- Program enrollments: one entry per platform model of program enrollments, each exposing
-- programenrollment_source, programenrollment_id, user_account_source, user_id,
-- program_readable_id, programenrollment_is_active, programenrollment_enrollment_mode,
-- programenrollment_enrollment_status, programenrollment_created_on,
-- programenrollment_updated_on.
{%- set program_enrollment_models = [
    ('mitxonline', 'int__mitxonline__program_enrollments'),
    ('xpro', 'int__xpro__program_enrollments'),
    ('edxorg', 'int__edxorg__program_enrollments'),
] %}
program_enrollments as (
    {%- for platform_readable_id, model in program_enrollment_models %}
    select
        '{{ platform_readable_id }}' as platform_readable_id,
        programenrollment_source as enrollment_source,
        programenrollment_id as enrollment_id,
        user_account_source,
        user_id,
        program_readable_id,
        programenrollment_is_active as enrollment_is_active,
        programenrollment_enrollment_mode as enrollment_mode,
        programenrollment_enrollment_status as enrollment_status,
        programenrollment_created_on as enrollment_created_on,
        programenrollment_updated_on as enrollment_updated_on
    from {{ ref(model) }}
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as platform_readable_id,
        cast(null as {{ dbt.type_string() }}) as enrollment_source,
        cast(null as bigint) as enrollment_id,
        cast(null as {{ dbt.type_string() }}) as user_account_source,
        cast(null as bigint) as user_id,
        cast(null as {{ dbt.type_string() }}) as program_readable_id,
        cast(null as boolean) as enrollment_is_active,
        cast(null as {{ dbt.type_string() }}) as enrollment_mode,
        cast(null as {{ dbt.type_string() }}) as enrollment_status,
        cast(null as {{ type_timestamptz() }}) as enrollment_created_on,
        cast(null as {{ type_timestamptz() }}) as enrollment_updated_on
    where 1 = 0
),

enrollments as (
    select
        'course' as enrollment_type,
        platform_readable_id,
        enrollment_source,
        enrollment_id,
        user_account_source,
        user_id,
        courserun_readable_id,
        courserun_platform_readable_id,
        cast(null as {{ dbt.type_string() }}) as program_readable_id,
        enrollment_is_active,
        enrollment_mode,
        enrollment_status,
        cast(enrollment_created_on as {{ type_timestamptz() }}) as enrollment_created_on,
        cast(enrollment_updated_on as {{ type_timestamptz() }}) as enrollment_updated_on,
        enrollment_is_edx_enrolled,
        order_id
    from course_enrollments

    union all

    select
        'program' as enrollment_type,
        platform_readable_id,
        enrollment_source,
        enrollment_id,
        user_account_source,
        user_id,
        cast(null as {{ dbt.type_string() }}) as courserun_readable_id,
        cast(null as {{ dbt.type_string() }}) as courserun_platform_readable_id,
        program_readable_id,
        enrollment_is_active,
        enrollment_mode,
        enrollment_status,
        enrollment_created_on,
        enrollment_updated_on,
        cast(null as boolean) as enrollment_is_edx_enrolled,
        cast(null as bigint) as order_id
    from program_enrollments
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
    {{ generate_surrogate_key([
        'enrollments.platform_readable_id', 'enrollments.enrollment_type',
        'enrollments.enrollment_source', 'enrollments.enrollment_id', 'enrollments.user_id',
        'coalesce(enrollments.courserun_readable_id, enrollments.program_readable_id)',
    ]) }} as enrollment_key,
    enrollments.enrollment_id,
    enrollments.enrollment_type,
    {{ date_key('enrollments.enrollment_created_on') }} as enrollment_date_key,
    accounts.user_fk,
    course_runs.courserun_pk as courserun_fk,
    case when enrollments.program_readable_id is not null then
        {{ generate_surrogate_key(['enrollments.platform_readable_id', 'enrollments.program_readable_id']) }}
    end as program_fk,
    platforms.platform_pk as platform_fk,
    platforms.platform_name as platform,
    enrollments.platform_readable_id,
    enrollments.enrollment_source,
    enrollments.user_account_source,
    enrollments.user_id,
    enrollments.courserun_readable_id,
    enrollments.program_readable_id,
    enrollments.enrollment_is_active,
    enrollments.enrollment_mode,
    enrollments.enrollment_status,
    enrollments.enrollment_created_on,
    enrollments.enrollment_updated_on,
    enrollments.enrollment_is_edx_enrolled,
    enrollments.order_id
from enrollments
inner join platforms on enrollments.platform_readable_id = platforms.platform_readable_id
left join course_runs
    on enrollments.courserun_platform_readable_id = course_runs.platform_readable_id
    and enrollments.courserun_readable_id = course_runs.courserun_readable_id
left join accounts
    on enrollments.platform_readable_id = accounts.platform_readable_id
    and enrollments.user_account_source = accounts.user_account_source
    and enrollments.user_id = accounts.user_id
