-- MITx Online learners: the app accounts (the learners of app enrollments) and the Open edX
-- accounts (the learners of Open edX grades), which are a separate id space.
select
    {{ platform_name('mitxonline') }} as platform,
    'app' as user_account_source,
    user_id,
    user_username,
    user_email,
    user_full_name,
    user_joined_on,
    user_is_active,
    cast(null as {{ dbt.type_string() }}) as user_country
from {{ ref('stg__mitxonline__app__postgres__users_user') }}

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
    cast(null as {{ dbt.type_string() }}) as user_country
from {{ ref('stg__mitxonline__openedx__mysql__auth_user') }}
