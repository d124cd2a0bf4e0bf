-- Certificates, one row per certificate a platform issued (certificate_key = surrogate of
-- platform, scope, certificate id): course-run certificates of MITx Online, xPRO, Bootcamps
-- and MicroMasters (a MicroMasters course certificate sits in the run where the learner
-- passed), and program certificates of MITx Online, xPRO and MicroMasters (derived from its
-- course certificates), and edX.org course-run and program certificates. Revoked
-- certificates stay, flagged by certificate_is_revoked (edX.org keeps no revocations).
{%- set string = dbt.type_string() %}
with certificates as (
    select
        'mitxonline' as platform_readable_id,
        'course' as certificate_scope,
        cast(certificates.courseruncertificate_id as {{ string }}) as certificate_id,
        'app' as user_account_source,
        certificates.user_id,
        runs.courserun_readable_id,
        cast(null as {{ string }}) as program_readable_id,
        certificates.courseruncertificate_uuid as certificate_uuid,
        certificates.courseruncertificate_is_revoked as certificate_is_revoked,
        certificates.courseruncertificate_created_on as certificate_created_on,
        certificates.courseruncertificate_updated_on as certificate_updated_on,
        certificates.courseruncertificate_issued_on as certificate_issued_on,
        'verified' as certificate_type_code
    from {{ ref('stg__mitxonline__app__postgres__courses_courseruncertificate') }} as certificates
    inner join {{ ref('stg__mitxonline__app__postgres__courses_courserun') }} as runs
        on certificates.courserun_id = runs.courserun_id

    union all

    select
        'xpro',
        'course',
        cast(certificates.courseruncertificate_id as {{ string }}),
        'app',
        certificates.user_id,
        runs.courserun_readable_id,
        cast(null as {{ string }}),
        certificates.courseruncertificate_uuid,
        certificates.courseruncertificate_is_revoked,
        certificates.courseruncertificate_created_on,
        certificates.courseruncertificate_updated_on,
        -- xPRO issues a certificate when it creates it
        certificates.courseruncertificate_created_on,
        'professional'
    from {{ ref('stg__xpro__app__postgres__courses_courseruncertificate') }} as certificates
    inner join {{ ref('stg__xpro__app__postgres__courses_courserun') }} as runs
        on certificates.courserun_id = runs.courserun_id

    union all

    select
        'bootcamps',
        'course',
        cast(certificates.courseruncertificate_id as {{ string }}),
        'app',
        certificates.user_id,
        runs.courserun_readable_id,
        cast(null as {{ string }}),
        certificates.courseruncertificate_uuid,
        certificates.courseruncertificate_is_revoked,
        certificates.courseruncertificate_created_on,
        certificates.courseruncertificate_updated_on,
        certificates.courseruncertificate_created_on,
        'verified'
    from {{ ref('stg__bootcamps__app__postgres__courses_courseruncertificate') }} as certificates
    inner join {{ ref('stg__bootcamps__app__postgres__klasses_bootcamprun') }} as runs
        on certificates.courserun_id = runs.courserun_id

    union all

    select
        'micromasters',
        'course',
        cast(coursecertificate_id as {{ string }}),
        'app',
        user_id,
        courserun_readable_id,
        cast(null as {{ string }}),
        coursecertificate_hash,
        false,
        coursecertificate_created_on,
        coursecertificate_updated_on,
        coursecertificate_created_on,
        'verified'
    from {{ ref('int__micromasters__course_certificates') }}

    union all

    select
        'mitxonline',
        'program',
        cast(programcertificate_id as {{ string }}),
        'app',
        user_id,
        cast(null as {{ string }}),
        program_readable_id,
        programcertificate_uuid,
        programcertificate_is_revoked,
        programcertificate_created_on,
        programcertificate_updated_on,
        programcertificate_issued_on,
        'verified'
    from {{ ref('int__mitxonline__program_certificates') }}

    union all

    select
        'xpro',
        'program',
        cast(certificates.programcertificate_id as {{ string }}),
        'app',
        certificates.user_id,
        cast(null as {{ string }}),
        programs.program_readable_id,
        certificates.programcertificate_uuid,
        certificates.programcertificate_is_revoked,
        certificates.programcertificate_created_on,
        certificates.programcertificate_updated_on,
        certificates.programcertificate_created_on,
        'professional'
    from {{ ref('stg__xpro__app__postgres__courses_programcertificate') }} as certificates
    inner join {{ ref('stg__xpro__app__postgres__courses_program') }} as programs
        on certificates.program_id = programs.program_id

    union all

    select
        'micromasters',
        'program',
        program_certificate_hashed_id,
        'app',
        user_id,
        cast(null as {{ string }}),
        program_readable_id,
        program_certificate_hashed_id,
        false,
        program_completion_timestamp,
        program_completion_timestamp,
        program_completion_timestamp,
        'micromasters'
    from {{ ref('int__micromasters__program_certificates') }}

    union all

    select
        'edxorg',
        'course',
        cast(courseruncertificate_id as {{ string }}),
        'openedx',
        user_id,
        courserun_readable_id,
        cast(null as {{ string }}),
        courseruncertificate_verify_uuid,
        false,
        courseruncertificate_created_on,
        courseruncertificate_updated_on,
        courseruncertificate_created_on,
        -- edX.org's certificate modes, folded into dim_certificate_type's kinds
        case courseruncertificate_mode
            when 'no-id-professional' then 'professional'
            when 'masters' then 'verified'
            else courseruncertificate_mode
        end
    from {{ ref('int__edxorg__mitx_courserun_certificates') }}

    union all

    select
        'edxorg',
        'program',
        program_certificate_hashed_id,
        'openedx',
        user_id,
        cast(null as {{ string }}),
        program_uuid,
        program_certificate_hashed_id,
        false,
        program_certificate_awarded_on,
        program_certificate_awarded_on,
        program_certificate_awarded_on,
        'verified'
    from {{ ref('int__edxorg__mitx_program_certificates') }}
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
),

certificate_types as (
    select * from {{ ref('dim_certificate_type') }}
)

select
    {{ generate_surrogate_key([
        'certificates.platform_readable_id', 'certificates.certificate_scope',
        'certificates.certificate_id',
    ]) }} as certificate_key,
    certificates.certificate_id,
    {{ date_key('certificates.certificate_issued_on') }} as certificate_issued_date_key,
    accounts.user_fk,
    -- MicroMasters runs are edX course keys: the edX.org run when there is one, else the
    -- MITx Online run of that key.
    coalesce(own_run.courserun_pk, edxorg_run.courserun_pk, mitxonline_run.courserun_pk)
        as courserun_fk,
    case
        when certificates.program_readable_id is not null
            then {{ generate_surrogate_key([
                'certificates.platform_readable_id', 'certificates.program_readable_id',
            ]) }}
    end as program_fk,
    platforms.platform_pk as platform_fk,
    certificate_types.certificate_type_pk as certificate_type_fk,
    platforms.platform_name as platform,
    certificates.platform_readable_id,
    certificates.certificate_scope,
    certificates.certificate_uuid,
    certificates.certificate_is_revoked,
    certificates.certificate_created_on,
    certificates.certificate_updated_on,
    certificates.certificate_issued_on
from certificates
inner join platforms on certificates.platform_readable_id = platforms.platform_readable_id
left join certificate_types
    on certificates.certificate_type_code = certificate_types.certificate_type_code
left join accounts
    on certificates.platform_readable_id = accounts.platform_readable_id
    and certificates.user_account_source = accounts.user_account_source
    and certificates.user_id = accounts.user_id
left join course_runs as own_run
    on certificates.platform_readable_id = own_run.platform_readable_id
    and certificates.courserun_readable_id = own_run.courserun_readable_id
left join course_runs as edxorg_run
    on certificates.platform_readable_id = 'micromasters'
    and edxorg_run.platform_readable_id = 'edxorg'
    and certificates.courserun_readable_id = edxorg_run.courserun_readable_id
left join course_runs as mitxonline_run
    on certificates.platform_readable_id = 'micromasters'
    and mitxonline_run.platform_readable_id = 'mitxonline'
    and certificates.courserun_readable_id = mitxonline_run.courserun_readable_id
