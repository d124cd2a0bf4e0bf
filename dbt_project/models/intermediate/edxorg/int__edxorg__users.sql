-- edX.org learners of MIT courses, from the archives' auth_user dumps.
select
    {{ platform_name('edxorg') }} as platform,
    'edxorg_archive' as user_account_source,
    user_id,
    user_username,
    user_email,
    user_full_name,
    user_joined_on,
    user_is_active,
    cast(null as {{ dbt.type_string() }}) as user_country
from {{ ref('stg__edxorg__s3__tables__auth_user') }}
