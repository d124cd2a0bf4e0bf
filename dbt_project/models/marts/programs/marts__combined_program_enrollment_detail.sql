-- Program enrollments of MITx Online and xPRO learners, one row per program enrollment, with
-- the program, the learner (app account), their program certificate if any, and how far they
-- went: distinct courses of the program they enrolled in, whether one was a capstone, and
-- the days from the start of their first verified run in the program to the certificate.
with enrollments as (
    {%- for platform_readable_id in ['mitxonline', 'xpro'] %}
    select
        '{{ platform_readable_id }}' as platform_readable_id,
        programenrollment_id,
        program_id,
        user_id,
        programenrollment_is_active,
        programenrollment_created_on,
        programenrollment_enrollment_status,
        {%- if platform_readable_id == 'mitxonline' %}
        programenrollment_enrollment_mode
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as programenrollment_enrollment_mode
        {%- endif %}
    from {{ ref('stg__' ~ platform_readable_id ~ '__app__postgres__courses_programenrollment') }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

programs as (
    select
        'mitxonline' as platform_readable_id,
        program_id,
        program_readable_id,
        program_title,
        program_name,
        program_track,
        program_type,
        program_is_live
    from {{ ref('int__mitxonline__programs') }}

    union all

    select
        'xpro',
        program_id,
        program_readable_id,
        program_title,
        program_title,
        cast(null as {{ dbt.type_string() }}),
        'Professional Certificate',
        program_is_live
    from {{ ref('int__xpro__programs') }}
),

certificates as (
    select
        'mitxonline' as platform_readable_id,
        program_id,
        user_id,
        programcertificate_created_on,
        programcertificate_issued_on,
        programcertificate_is_revoked,
        programcertificate_uuid,
        programcertificate_url
    from {{ ref('int__mitxonline__program_certificates') }}

    union all

    select
        'xpro',
        program_id,
        user_id,
        programcertificate_created_on,
        programcertificate_created_on,
        programcertificate_is_revoked,
        programcertificate_uuid,
        case
            when not programcertificate_is_revoked
                then {{ dbt.concat(["'https://xpro.mit.edu/certificate/program/'", 'programcertificate_uuid']) }}
        end
    from {{ ref('stg__xpro__app__postgres__courses_programcertificate') }}
),

-- The learner's enrollments in runs of the program's courses (app enrollments).
program_course_runs as (
    select
        'mitxonline' as platform_readable_id,
        requirements.program_id,
        enrollments.user_id,
        runs.course_id,
        courses.course_title,
        runs.courserun_start_on,
        enrollments.courserunenrollment_enrollment_mode as enrollment_mode
    from {{ ref('int__mitxonline__program_requirements') }} as requirements
    inner join {{ ref('stg__mitxonline__app__postgres__courses_courserun') }} as runs
        on requirements.course_id = runs.course_id
    inner join {{ ref('stg__mitxonline__app__postgres__courses_course') }} as courses
        on runs.course_id = courses.course_id
    inner join {{ ref('stg__mitxonline__app__postgres__courses_courserunenrollment') }} as enrollments
        on runs.courserun_id = enrollments.courserun_id

    union all

    select
        'xpro',
        courses.program_id,
        enrollments.user_id,
        runs.course_id,
        courses.course_title,
        runs.courserun_start_on,
        -- xPRO app enrollments carry no mode: every xPRO enrollment is paid
        'verified'
    from {{ ref('stg__xpro__app__postgres__courses_course') }} as courses
    inner join {{ ref('stg__xpro__app__postgres__courses_courserun') }} as runs
        on courses.course_id = runs.course_id
    inner join {{ ref('stg__xpro__app__postgres__courses_courserunenrollment') }} as enrollments
        on runs.courserun_id = enrollments.courserun_id
    where courses.program_id is not null
),

progress as (
    select
        platform_readable_id,
        program_id,
        user_id,
        count(distinct course_id) as unique_courses_taken_in_program,
        max(case when upper(course_title) like '%CAPSTONE%' then 1 else 0 end) as has_capstone,
        min(case when enrollment_mode = 'verified' then courserun_start_on end)
            as first_verified_courserun_start_on
    from program_course_runs
    group by platform_readable_id, program_id, user_id
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where user_account_source = 'app'
),

platforms as (
    select * from {{ ref('dim_platform') }}
)

select
    platforms.platform_name,
    programs.program_id,
    programs.program_title,
    programs.program_name,
    programs.program_track,
    programs.program_type,
    programs.program_is_live,
    programs.program_readable_id,
    -- The person (dim_user.user_pk), as in the other marts.
    accounts.user_fk as user_hashed_id,
    enrollments.user_id,
    accounts.user_email,
    accounts.user_username,
    accounts.user_full_name,
    coalesce(not certificates.programcertificate_is_revoked, false) as user_has_completed_program,
    enrollments.programenrollment_is_active,
    enrollments.programenrollment_created_on,
    enrollments.programenrollment_enrollment_status,
    enrollments.programenrollment_enrollment_mode,
    certificates.programcertificate_created_on,
    certificates.programcertificate_issued_on,
    certificates.programcertificate_is_revoked,
    certificates.programcertificate_uuid,
    certificates.programcertificate_url,
    coalesce(progress.unique_courses_taken_in_program, 0) as unique_courses_taken_in_program,
    case when progress.has_capstone = 1 then 'Y' else 'N' end as capstone_indicator,
    {{ dbt.datediff(
        'cast(progress.first_verified_courserun_start_on as date)',
        'cast(certificates.programcertificate_created_on as date)',
        'day',
    ) }} as program_completion_days
from enrollments
inner join programs
    on enrollments.platform_readable_id = programs.platform_readable_id
    and enrollments.program_id = programs.program_id
inner join platforms on enrollments.platform_readable_id = platforms.platform_readable_id
left join certificates
    on enrollments.platform_readable_id = certificates.platform_readable_id
    and enrollments.program_id = certificates.program_id
    and enrollments.user_id = certificates.user_id
left join progress
    on enrollments.platform_readable_id = progress.platform_readable_id
    and enrollments.program_id = progress.program_id
    and enrollments.user_id = progress.user_id
left join accounts
    on enrollments.platform_readable_id = accounts.platform_readable_id
    and enrollments.user_id = accounts.user_id
