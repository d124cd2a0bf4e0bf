-- edX.org enrollments in MITx course runs, one row per (user_id, courserun_readable_id),
-- whichever export carried it: the archives' student_courseenrollment dumps and IRx's
-- person-course rows describe the same enrollments (edX.org user ids, runs) and are merged.
-- Which source wins, per column:
--   enrollment id, mode, is active, created on: the archives (edX.org's enrollment row, newest
--     dump), else IRx (IRx's snapshot can lag an upgrade);
--   enrolled/unenrolled in verified on: IRx only.
-- courserunenrollment_source: 'edxorg_archive', 'irx_bigquery' or 'both'.
with archive as (
    select * from {{ ref('stg__edxorg__s3__tables__student_courseenrollment') }}
),

irx as (
    select * from {{ ref('stg__edxorg__bigquery__mitx_person_course') }}
    where courserun_platform = 'edxorg'
),

merged as (
    select
        coalesce(archive.user_id, irx.user_id) as user_id,
        coalesce(archive.courserun_readable_id, irx.courserun_readable_id) as courserun_readable_id,
        archive.courserunenrollment_id,
        coalesce(archive.courserunenrollment_enrollment_mode, irx.courserunenrollment_enrollment_mode)
            as courserunenrollment_enrollment_mode,
        coalesce(archive.courserunenrollment_is_active, irx.courserunenrollment_is_active)
            as courserunenrollment_is_active,
        coalesce(archive.courserunenrollment_created_on, irx.courserunenrollment_created_on)
            as courserunenrollment_created_on,
        irx.courserunenrollment_enrolled_on,
        irx.courserunenrollment_unenrolled_on,
        case
            when archive.user_id is not null and irx.user_id is not null then 'both'
            when archive.user_id is not null then 'edxorg_archive'
            else 'irx_bigquery'
        end as courserunenrollment_source
    from archive
    full outer join irx
        on archive.user_id = irx.user_id
        and archive.courserun_readable_id = irx.courserun_readable_id
),

users as (
    select * from {{ ref('int__edxorg__mitx_users') }}
),

runs as (
    select * from {{ ref('int__edxorg__mitx_courseruns') }}
),

-- The learner's MITx Online username, where the person (dim_user) also has a MITx Online account.
accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
),

mitxonline_usernames as (
    select edxorg.user_id, max(mitxonline.user_username) as user_mitxonline_username
    from accounts as edxorg
    inner join accounts as mitxonline
        on edxorg.user_fk = mitxonline.user_fk
        and mitxonline.platform_readable_id = 'mitxonline'
    where edxorg.platform_readable_id = 'edxorg'
    group by edxorg.user_id
),

-- MicroMasters runs keep the upgrade deadline of the edX.org run with the same course and term.
micromasters_runs as (
    select
        {{ dbt.split_part('courserun_readable_id', "'+'", 2) }} as course_number,
        {{ dbt.split_part('courserun_readable_id', "'+'", 3) }} as run_tag,
        max(courserun_upgrade_deadline) as courserun_upgrade_deadline
    from {{ ref('stg__micromasters__app__postgres__courses_courserun') }}
    group by 1, 2
)

select
    merged.user_id,
    merged.courserun_readable_id,
    merged.courserunenrollment_id,
    merged.courserunenrollment_source,
    runs.course_number,
    runs.courserun_title,
    runs.courserun_start_date as courserun_start_on,
    micromasters_runs.courserun_upgrade_deadline,
    users.user_username,
    users.user_email,
    users.user_full_name,
    users.user_country as user_address_country,
    mitxonline_usernames.user_mitxonline_username,
    merged.courserunenrollment_created_on,
    merged.courserunenrollment_enrollment_mode,
    merged.courserunenrollment_is_active,
    merged.courserunenrollment_enrolled_on,
    merged.courserunenrollment_unenrolled_on
from merged
left join users on merged.user_id = users.user_id
left join runs on merged.courserun_readable_id = runs.courserun_readable_id
left join mitxonline_usernames on merged.user_id = mitxonline_usernames.user_id
left join micromasters_runs
    on runs.course_number = micromasters_runs.course_number
    and {{ dbt.split_part('merged.courserun_readable_id', "'+'", 3) }} = micromasters_runs.run_tag
