-- MITx course runs on edX.org, one row per run, with titles and dates from edX.org's course
-- tables: the discovery report (stg__edxorg__api__courserun, with its course) and IRx's course
-- list (stg__edxorg__bigquery__mitx_courserun). The discovery report wins where both name a
-- run; IRx alone gives the semester and department. Runs that only the learner data names
-- (enrollments, learner state, person-course) are kept without titles, so every edX.org
-- enrollment has its run. micromasters_* link the run's course number to MicroMasters.
with discovery_runs as (
    select * from {{ ref('stg__edxorg__api__courserun') }}
),

discovery_courses as (
    select * from {{ ref('stg__edxorg__api__course') }}
),

irx_runs as (
    select * from {{ ref('stg__edxorg__bigquery__mitx_courserun') }}
    where courserun_platform = 'edxorg'
),

seen as (
    select courserun_readable_id, courserunenrollment_file_modified_on as seen_on
    from {{ ref('stg__edxorg__s3__tables__student_courseenrollment') }}
    union all
    select courserun_readable_id, studentmodule_file_modified_on as seen_on
    from {{ ref('stg__edxorg__s3__tables__courseware_studentmodule') }}
    union all
    select courserun_readable_id, courserunenrollment_created_on as seen_on
    from {{ ref('stg__edxorg__bigquery__mitx_person_course') }}
    where courserun_platform = 'edxorg'
),

seen_runs as (
    select courserun_readable_id, min(seen_on) as courserun_first_seen_on
    from seen
    where courserun_readable_id is not null
    group by courserun_readable_id
),

run_keys as (
    select courserun_readable_id from discovery_runs
    union
    select courserun_readable_id from irx_runs
    union
    select courserun_readable_id from seen_runs
),

-- One MicroMasters course per course number (the first, should a number repeat).
micromasters_courses as (
    select course_id, program_id, course_number
    from (
        select
            course_id,
            program_id,
            {{ dbt.split_part('course_readable_id', "'+'", 2) }} as course_number,
            row_number() over (
                partition by {{ dbt.split_part('course_readable_id', "'+'", 2) }} order by course_id
            ) as _number_rank
        from {{ ref('stg__micromasters__app__postgres__courses_course') }}
    ) as ranked
    where _number_rank = 1
),

runs as (
    select
        run_keys.courserun_readable_id,
        coalesce(
            irx_runs.course_number,
            {{ dbt.split_part('run_keys.courserun_readable_id', "'+'", 2) }}
        ) as course_number,
        coalesce(
            discovery_runs.course_readable_id,
            irx_runs.course_readable_id,
            {{ course_readable_id_from_courserun('run_keys.courserun_readable_id') }}
        ) as course_readable_id,
        irx_runs.coursedepartment_name,
        irx_runs.coursedepartment_number,
        coalesce(discovery_runs.courserun_title, irx_runs.courserun_title) as courserun_title,
        irx_runs.courserun_semester,
        coalesce(discovery_runs.courserun_marketing_url, irx_runs.courserun_url) as courserun_url,
        coalesce(discovery_courses.course_organizations, irx_runs.courserun_institution)
            as courserun_institution,
        coalesce(discovery_runs.courserun_instructors, irx_runs.courserun_instructors)
            as courserun_instructors,
        coalesce(
            discovery_runs.courserun_enrollment_start_on,
            cast(irx_runs.courserun_enrollment_start_date as {{ type_timestamptz() }})
        ) as courserun_enrollment_start_date,
        discovery_runs.courserun_enrollment_end_on as courserun_enrollment_end_date,
        coalesce(
            discovery_runs.courserun_start_on,
            cast(irx_runs.courserun_start_date as {{ type_timestamptz() }})
        ) as courserun_start_date,
        coalesce(
            discovery_runs.courserun_end_on,
            cast(irx_runs.courserun_end_date as {{ type_timestamptz() }})
        ) as courserun_end_date,
        coalesce(discovery_runs.courserun_is_self_paced, irx_runs.courserun_is_self_paced)
            as courserun_is_self_paced,
        discovery_runs.courserun_short_description as courserun_description,
        {{ join_text_array('discovery_courses.course_topics', ', ') }} as course_topics,
        discovery_runs.courserun_is_published,
        discovery_runs.courserun_pace,
        discovery_runs.courserun_time_commitment,
        discovery_runs.courserun_estimated_hours,
        discovery_runs.courserun_duration,
        discovery_runs.courserun_enrollment_mode,
        discovery_runs.courserun_availability,
        case
            when discovery_runs.courserun_readable_id is not null then 'discovery'
            when irx_runs.courserun_readable_id is not null then 'irx'
            else 'learner_data'
        end as courserun_source,
        coalesce(
            seen_runs.courserun_first_seen_on,
            discovery_runs.courserun_announce_on,
            discovery_runs.courserun_updated_at
        ) as courserun_first_seen_on
    from run_keys
    left join discovery_runs on run_keys.courserun_readable_id = discovery_runs.courserun_readable_id
    left join irx_runs on run_keys.courserun_readable_id = irx_runs.courserun_readable_id
    left join seen_runs on run_keys.courserun_readable_id = seen_runs.courserun_readable_id
    left join discovery_courses on discovery_runs.course_readable_id = discovery_courses.course_readable_id
)

select
    runs.*,
    micromasters_courses.program_id as micromasters_program_id,
    micromasters_courses.course_id as micromasters_course_id
from runs
left join micromasters_courses on runs.course_number = micromasters_courses.course_number
