-- edX.org learners of MITx courses, one row per edX.org user id, from both exports of
-- edX.org's user table: the archives' auth_user dumps and IRx's user info (the same ids).
-- Which source wins, per column:
--   username, email, name, joined on, last login, is active: the archives (edX.org's own
--     auth_user rows, newest dump), else IRx;
--   country, city, mailing address, goals, education, birth year, gender, profile meta: IRx
--     (the archives carry no profile), its newest row of the learner.
with archive_users as (
    select * from {{ ref('stg__edxorg__s3__tables__auth_user') }}
),

irx_rows as (
    select
        *,
        row_number() over (
            partition by user_id
            order by courserunenrollment_created_on desc nulls last,
                courserunenrollment_courserun_readable_id desc
        ) as _recency
    from {{ ref('stg__edxorg__bigquery__mitx_user_info_combo') }}
    where courserun_platform = 'edxorg'
),

irx_users as (
    select * from irx_rows where _recency = 1
)

select
    coalesce(archive_users.user_id, irx_users.user_id) as user_id,
    coalesce(archive_users.user_username, irx_users.user_username) as user_username,
    coalesce(archive_users.user_email, irx_users.user_email) as user_email,
    coalesce(archive_users.user_full_name, irx_users.user_full_name) as user_full_name,
    irx_users.user_country,
    irx_users.user_city,
    irx_users.user_mailing_address,
    irx_users.user_profile_goals,
    irx_users.user_highest_education,
    irx_users.user_birth_year,
    irx_users.user_profile_meta,
    irx_users.user_gender,
    coalesce(archive_users.user_joined_on, irx_users.user_joined_on) as user_joined_on,
    coalesce(archive_users.user_last_login_on, irx_users.user_last_login) as user_last_login,
    archive_users.user_is_active,
    archive_users.user_id is not null as user_is_in_archives,
    irx_users.user_id is not null as user_is_in_irx
from archive_users
full outer join irx_users on archive_users.user_id = irx_users.user_id
