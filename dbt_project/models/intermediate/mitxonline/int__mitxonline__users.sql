-- MITx Online learners: the app accounts (the learners of app enrollments) with their profile
-- and legal address, and the Open edX accounts (the learners of Open edX grades), which are a
-- separate id space.
with profiles as (
    select * from {{ ref('stg__mitxonline__app__postgres__users_userprofile') }}
),

addresses as (
    select * from {{ ref('stg__mitxonline__app__postgres__users_legaladdress') }}
)

select
    {{ platform_name('mitxonline') }} as platform,
    'app' as user_account_source,
    users.user_id,
    users.user_username,
    users.user_email,
    users.user_full_name,
    users.user_joined_on,
    users.user_is_active,
    addresses.user_address_country as user_country,
    users.user_last_login,
    addresses.user_address_state,
    cast(null as {{ dbt.type_string() }}) as user_address_city,
    cast(null as {{ dbt.type_string() }}) as user_address_postal_code,
    cast(null as {{ dbt.type_string() }}) as user_street_address,
    profiles.user_highest_education,
    profiles.user_gender,
    profiles.user_birth_year,
    profiles.user_company,
    profiles.user_job_title,
    profiles.user_industry
from {{ ref('stg__mitxonline__app__postgres__users_user') }} as users
left join profiles on users.user_id = profiles.user_id
left join addresses on users.user_id = addresses.user_id

union all

select
    {{ platform_name('mitxonline') }} as platform,
    'openedx' as user_account_source,
    user_id,
    user_username,
    user_email,
    cast(null as {{ dbt.type_string() }}) as user_full_name,
    user_joined_on,
    user_is_active,
    cast(null as {{ dbt.type_string() }}) as user_country,
    user_last_login,
    cast(null as {{ dbt.type_string() }}) as user_address_state,
    cast(null as {{ dbt.type_string() }}) as user_address_city,
    cast(null as {{ dbt.type_string() }}) as user_address_postal_code,
    cast(null as {{ dbt.type_string() }}) as user_street_address,
    cast(null as {{ dbt.type_string() }}) as user_highest_education,
    cast(null as {{ dbt.type_string() }}) as user_gender,
    cast(null as {{ dbt.type_int() }}) as user_birth_year,
    cast(null as {{ dbt.type_string() }}) as user_company,
    cast(null as {{ dbt.type_string() }}) as user_job_title,
    cast(null as {{ dbt.type_string() }}) as user_industry
from {{ ref('stg__mitxonline__openedx__mysql__auth_user') }}
