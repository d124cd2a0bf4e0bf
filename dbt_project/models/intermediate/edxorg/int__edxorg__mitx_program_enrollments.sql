-- Learners of MITx programs on edX.org, one row per (user_id, program_uuid), from the
-- program learner report (its rows are per course run: the newest is kept).
with learners as (
    select
        *,
        row_number() over (
            partition by user_id, program_uuid
            order by program_certificate_awarded_on desc nulls last,
                courserunenrollment_created_on desc nulls last, courserun_readable_id desc
        ) as _recency
    from {{ ref('stg__edxorg__s3__program_learner_report') }}
    where org_id = 'MITx'
),

programs as (
    select * from {{ ref('int__edxorg__mitx_programs') }}
)

select
    learners.program_type,
    learners.program_uuid,
    learners.program_title,
    coalesce(programs.program_name, learners.program_title) as program_name,
    learners.program_track,
    learners.user_id,
    learners.user_username,
    learners.user_full_name,
    learners.user_has_completed_program,
    programs.micromasters_program_id
from learners
left join programs on learners.program_uuid = programs.program_uuid
where learners._recency = 1
