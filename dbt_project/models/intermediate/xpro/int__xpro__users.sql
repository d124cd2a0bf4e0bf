-- xPRO learners: the Open edX accounts (the xPRO app's user table is not ingested).
select
    {{ platform_name('xpro') }} as platform,
    'openedx' as user_account_source,
    user_id,
    user_username,
    user_email,
    cast(null as {{ dbt.type_string() }}) as user_full_name,
    user_joined_on,
    user_is_active,
    cast(null as {{ dbt.type_string() }}) as user_country
from {{ ref('stg__xpro__openedx__mysql__auth_user') }}
