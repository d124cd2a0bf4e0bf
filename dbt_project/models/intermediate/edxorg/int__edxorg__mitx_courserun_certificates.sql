-- edX.org course-run certificates earned by MITx learners, one row per (user_id,
-- courserun_readable_id): the certificate fields of IRx's user info, kept where IRx's
-- person-course says the certificate was earned.
with earned as (
    select user_id, courserun_readable_id
    from {{ ref('stg__edxorg__bigquery__mitx_person_course') }}
    where courserun_platform = 'edxorg' and courseruncertificate_is_earned
),

certificates as (
    select * from (
        select
            *,
            row_number() over (
                partition by user_id, courseruncertificate_courserun_readable_id
                order by courseruncertificate_updated_on desc nulls last, courseruncertificate_id desc
            ) as _recency
        from {{ ref('stg__edxorg__bigquery__mitx_user_info_combo') }}
        where courserun_platform = 'edxorg' and courseruncertificate_id is not null
    ) as ranked
    where _recency = 1
),

enrollments as (
    select * from {{ ref('int__edxorg__mitx_courserun_enrollments') }}
),

users as (
    select * from {{ ref('int__edxorg__mitx_users') }}
),

runs as (
    select * from {{ ref('int__edxorg__mitx_courseruns') }}
)

select
    certificates.user_id,
    certificates.courseruncertificate_courserun_readable_id as courserun_readable_id,
    runs.course_number,
    users.user_username,
    enrollments.user_mitxonline_username,
    users.user_email,
    users.user_full_name,
    certificates.courseruncertificate_id,
    certificates.courseruncertificate_created_on,
    certificates.courseruncertificate_updated_on,
    certificates.courseruncertificate_name,
    certificates.courseruncertificate_status,
    certificates.courseruncertificate_download_url,
    certificates.courseruncertificate_download_uuid,
    certificates.courseruncertificate_verify_uuid,
    certificates.courseruncertificate_grade,
    certificates.courseruncertificate_mode,
    runs.courserun_title,
    runs.micromasters_program_id
from certificates
inner join earned
    on certificates.user_id = earned.user_id
    and certificates.courseruncertificate_courserun_readable_id = earned.courserun_readable_id
inner join users on certificates.user_id = users.user_id
left join runs on certificates.courseruncertificate_courserun_readable_id = runs.courserun_readable_id
left join enrollments
    on certificates.user_id = enrollments.user_id
    and certificates.courseruncertificate_courserun_readable_id = enrollments.courserun_readable_id
