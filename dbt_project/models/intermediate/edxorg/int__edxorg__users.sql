-- edX.org accounts as int__combined__user_accounts unions them: one per edX.org user id
-- (archives and IRx merged in int__edxorg__mitx_users), account system 'openedx' (edX.org's
-- Open edX user table).
select
    {{ platform_name('edxorg') }} as platform,
    'openedx' as user_account_source,
    user_id,
    user_username,
    user_email,
    user_full_name,
    user_joined_on,
    user_is_active,
    user_country
from {{ ref('int__edxorg__mitx_users') }}
