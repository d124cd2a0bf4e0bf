-- Program certificates of MITx programs on edX.org, one row per (user_id, program_uuid)
-- that completed the program (program learner report). program_certificate_hashed_id is a
-- stable id of the certificate: the hash of user id and program uuid.
with completed as (
    select * from {{ ref('int__edxorg__mitx_program_enrollments') }}
    where user_has_completed_program
),

awards as (
    select user_id, program_uuid, min(program_certificate_awarded_on) as program_certificate_awarded_on
    from {{ ref('stg__edxorg__s3__program_learner_report') }}
    group by user_id, program_uuid
)

select
    {{ dbt.hash(dbt.concat(['cast(completed.user_id as ' ~ dbt.type_string() ~ ')', "'|'", 'completed.program_uuid'])) }}
        as program_certificate_hashed_id,
    completed.program_type,
    completed.program_uuid,
    completed.program_title,
    completed.user_id,
    completed.user_username,
    completed.user_full_name,
    completed.user_has_completed_program,
    awards.program_certificate_awarded_on,
    completed.micromasters_program_id
from completed
left join awards
    on completed.user_id = awards.user_id
    and completed.program_uuid = awards.program_uuid
