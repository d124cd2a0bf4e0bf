-- MicroMasters learners: the app accounts with their profile (name, address, education) and
-- their current job (the latest-started employment, else the employer and title imported from
-- edX.org into the profile), and the edX.org username they signed in with (social auth uid).
with profiles as (
    select * from {{ ref('stg__micromasters__app__postgres__profiles_profile') }}
),

latest_employment as (
    select * from (
        select
            employment.*,
            row_number() over (
                partition by user_profile_id
                order by user_end_date is null desc, user_start_date desc, user_employment_id desc
            ) as employment_rank
        from {{ ref('stg__micromasters__app__postgres__profiles_employment') }} as employment
    ) as ranked
    where employment_rank = 1
),

edxorg_logins as (
    select user_id, max(user_username) as user_edxorg_username
    from {{ ref('stg__micromasters__app__postgres__social_auth_usersocialauth') }}
    where user_auth_provider = 'edxorg'
    group by user_id
)

select
    {{ platform_name('micromasters') }} as platform,
    'app' as user_account_source,
    users.user_id,
    users.user_username,
    users.user_email,
    profiles.user_full_name,
    users.user_joined_on,
    users.user_is_active,
    profiles.user_address_country as user_country,
    users.user_last_login,
    profiles.user_address_state_or_territory as user_address_state,
    profiles.user_address_city,
    profiles.user_address_postal_code,
    profiles.user_street_address,
    profiles.user_highest_education,
    profiles.user_gender,
    cast(extract(year from profiles.user_birth_date) as {{ dbt.type_int() }}) as user_birth_year,
    coalesce(latest_employment.user_company_name, profiles.user_employer) as user_company,
    coalesce(latest_employment.user_job_position, profiles.user_job_title) as user_job_title,
    latest_employment.user_company_industry as user_industry,
    edxorg_logins.user_edxorg_username
from {{ ref('stg__micromasters__app__postgres__auth_user') }} as users
left join profiles on users.user_id = profiles.user_id
left join latest_employment on profiles.user_profile_id = latest_employment.user_profile_id
left join edxorg_logins on users.user_id = edxorg_logins.user_id
