with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitlearn__app__postgres__profiles_profile') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as profile_id,
    user_id,
    nullif(trim(name), '') as user_name,
    nullif(headline, '') as user_headline,
    nullif(location, '') as user_location,
    nullif(current_education, '') as user_current_education,
    nullif(certificate_desired, '') as user_certificate_desired,
    completed_onboarding as user_completed_onboarding,
    {{ json_string_array('goals') }} as user_goals,
    {{ json_string_array('delivery') }} as user_delivery_preference,
    nullif(time_commitment, '') as user_time_commitment,
    email_optin as user_email_optin,
    toc_optin as user_toc_optin,
    updated_at as profile_updated_on
from deduplicated
