-- edX.org learners of MITx programs in the shape the enrollment fact unions: one row per
-- (learner, program). The learner report has no program enrollment record: the program
-- enrollment dates from the learner's first course-run enrollment in the program, and it has
-- no id of its own.
with first_enrollments as (
    select
        user_id,
        program_uuid,
        min(courserunenrollment_created_on) as programenrollment_created_on
    from {{ ref('stg__edxorg__s3__program_learner_report') }}
    where org_id = 'MITx'
    group by user_id, program_uuid
)

select
    'edxorg_program_learner_report' as programenrollment_source,
    cast(null as bigint) as programenrollment_id,
    'openedx' as user_account_source,
    learners.user_id,
    learners.program_uuid as program_readable_id,
    true as programenrollment_is_active,
    learners.program_track as programenrollment_enrollment_mode,
    cast(null as {{ dbt.type_string() }}) as programenrollment_enrollment_status,
    first_enrollments.programenrollment_created_on,
    cast(null as {{ type_timestamptz() }}) as programenrollment_updated_on
from {{ ref('int__edxorg__mitx_program_enrollments') }} as learners
inner join first_enrollments
    on learners.user_id = first_enrollments.user_id
    and learners.program_uuid = first_enrollments.program_uuid
