-- Learners of the IRx (edX.org BigQuery) export.
select
    {{ platform_name('irx') }} as platform,
    'irx_bigquery' as user_account_source,
    user_id,
    user_username,
    user_email,
    cast(null as {{ dbt.type_string() }}) as user_full_name,
    user_first_enrollment_created_on as user_joined_on,
    cast(null as boolean) as user_is_active,
    user_country
from {{ ref('stg__irx__edxorg__bigquery__user_info_combo') }}
