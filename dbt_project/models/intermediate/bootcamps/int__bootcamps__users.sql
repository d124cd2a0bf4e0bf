-- Bootcamps learners: the app accounts with their profile and legal address.
with profiles as (
    select * from {{ ref('stg__bootcamps__app__postgres__profiles_profile') }}
),

addresses as (
    select * from {{ ref('stg__bootcamps__app__postgres__profiles_legaladdress') }}
)

select
    {{ platform_name('bootcamps') }} as platform,
    'app' as user_account_source,
    users.user_id,
    users.user_username,
    users.user_email,
    coalesce(
        profiles.user_full_name,
        {{ clean_name("concat_ws(' ', addresses.user_first_name, addresses.user_last_name)") }}
    ) as user_full_name,
    users.user_joined_on,
    users.user_is_active,
    addresses.user_address_country as user_country,
    users.user_last_login,
    addresses.user_address_state_or_territory as user_address_state,
    addresses.user_address_city,
    addresses.user_address_postal_code,
    addresses.user_street_address,
    profiles.user_highest_education,
    profiles.user_gender,
    profiles.user_birth_year,
    profiles.user_company,
    profiles.user_job_title,
    profiles.user_industry
from {{ ref('stg__bootcamps__app__postgres__auth_user') }} as users
left join profiles on users.user_id = profiles.user_id
left join addresses on users.user_id = addresses.user_id
