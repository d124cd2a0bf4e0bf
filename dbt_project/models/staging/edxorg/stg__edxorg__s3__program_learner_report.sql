-- edX.org's program learner report: one row per (learner, program, course run) with the
-- learner's progress in the run and the program. The report writes text ('null' for none);
-- user_has_completed_program and program_certificate_awarded_on hold across the learner's
-- rows of a program run (ever completed; the earliest award).
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__edxorg__program_learner_report') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'course_run_key', 'program_uuid']) }}),

cleaned as (
    select
        authoring_institution as org_id,
        program_type,
        program_uuid,
        program_title,
        username as user_username,
        name as user_full_name,
        course_run_key as courserun_readable_id,
        course_title,
        track as courserunenrollment_enrollment_mode,
        cast(user_id as bigint) as user_id,
        {{ edxorg_report_boolean('completed') }} as user_has_completed_course,
        {{ edxorg_report_boolean('completed_program') }} as user_has_completed_program,
        {{ edxorg_report_boolean('currently_enrolled') }} as courserunenrollment_is_active,
        {{ edxorg_report_boolean('purchased_as_bundle') }} as user_has_purchased_as_bundle,
        nullif(user_roles, 'null') as user_roles,
        nullif(letter_grade, 'null') as courserungrade_letter_grade,
        nullif(grade, 'null') as courserungrade_grade,
        {{ edxorg_report_timestamp('course_run_start_date') }} as courserun_start_on,
        {{ edxorg_report_timestamp('date_first_enrolled') }} as courserunenrollment_created_on,
        {{ edxorg_report_timestamp('date_completed') }} as completed_course_on,
        cast(nullif(last_activity_date, 'null') as date) as courseactivity_last_activity_date,
        {{ edxorg_report_timestamp('date_last_unenrolled') }} as courserunenrollment_unenrolled_on,
        {{ edxorg_report_timestamp('date_first_upgraded_to_verified') }} as courserunenrollment_upgraded_on,
        {{ edxorg_report_timestamp('date_program_certificate_awarded') }} as program_certificate_awarded_on
    from deduplicated
),

per_program as (
    select
        user_id,
        program_uuid,
        bool_or(coalesce(user_has_completed_program, false)) as ever_completed_program,
        min(program_certificate_awarded_on) as earliest_program_certificate_awarded_on
    from cleaned
    group by user_id, program_uuid
)

select
    cleaned.org_id,
    cleaned.program_type,
    cleaned.program_uuid,
    cleaned.program_title,
    cleaned.user_id,
    cleaned.user_username,
    cleaned.user_full_name,
    cleaned.courserun_readable_id,
    cleaned.course_title,
    cleaned.courserunenrollment_enrollment_mode,
    cleaned.user_has_completed_course,
    per_program.ever_completed_program as user_has_completed_program,
    cleaned.courserunenrollment_is_active,
    cleaned.user_has_purchased_as_bundle,
    cleaned.user_roles,
    cleaned.courserungrade_letter_grade,
    cleaned.courserungrade_grade,
    cleaned.courserun_start_on,
    cleaned.courserunenrollment_created_on,
    cleaned.completed_course_on,
    cleaned.courseactivity_last_activity_date,
    cleaned.courserunenrollment_unenrolled_on,
    cleaned.courserunenrollment_upgraded_on,
    per_program.earliest_program_certificate_awarded_on as program_certificate_awarded_on,
    -- The track of a program whose title names one: "Statistics and Data Science (General Track)".
    case
        when cleaned.program_title like '%(%)%'
            then {{ dbt.split_part(dbt.split_part('cleaned.program_title', "'('", 2), "')'", 1) }}
    end as program_track
from cleaned
inner join per_program
    on cleaned.user_id = per_program.user_id
    and cleaned.program_uuid = per_program.program_uuid
