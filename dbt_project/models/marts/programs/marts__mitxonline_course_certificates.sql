-- MITx Online course-run certificates in force (not revoked), one row per certificate, with
-- the learner's app account and the id of their MITx Online Open edX account (the account
-- int__combined__user_accounts links to the same person).
with certificates as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courseruncertificate') }}
    where not courseruncertificate_is_revoked
),

runs as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_courserun') }}
),

courses as (
    select * from {{ ref('stg__mitxonline__app__postgres__courses_course') }}
),

users as (
    select * from {{ ref('stg__mitxonline__app__postgres__users_user') }}
),

accounts as (
    select * from {{ ref('int__combined__user_accounts') }}
    where platform_readable_id = 'mitxonline'
),

openedx_accounts as (
    select app.user_id, min(openedx.user_id) as openedx_user_id
    from accounts as app
    inner join accounts as openedx
        on app.user_fk = openedx.user_fk
        and openedx.user_account_source = 'openedx'
    where app.user_account_source = 'app'
    group by app.user_id
)

select
    {{ dbt.split_part('courses.course_readable_id', "'+'", 2) }} as course_number,
    runs.courserun_title,
    runs.courserun_readable_id,
    certificates.courseruncertificate_url,
    certificates.courseruncertificate_created_on,
    users.user_username,
    users.user_email,
    users.user_full_name,
    openedx_accounts.openedx_user_id
from certificates
inner join runs on certificates.courserun_id = runs.courserun_id
inner join courses on runs.course_id = courses.course_id
left join users on certificates.user_id = users.user_id
left join openedx_accounts on certificates.user_id = openedx_accounts.user_id
