-- Residential MITx Open edX accounts in the shape of int__combined__user_accounts' inputs,
-- with the profile columns the residential profile has.
select
    {{ platform_name('residential') }} as platform,
    'openedx' as user_account_source,
    user_id,
    user_username,
    user_email,
    user_full_name,
    user_joined_on,
    user_is_active,
    user_address_country as user_country,
    user_last_login,
    user_address_city,
    user_highest_education,
    user_gender,
    user_birth_year
from {{ ref('int__mitxresidential__users') }}
