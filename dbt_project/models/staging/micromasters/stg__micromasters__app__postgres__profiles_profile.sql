with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__micromasters__app__postgres__profiles_profile') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_profile_id,
    user_id,
    coalesce(nullif(romanized_first_name, ''), first_name) as user_first_name,
    coalesce(nullif(romanized_last_name, ''), last_name) as user_last_name,
    {{ clean_name("concat_ws(' ', nullif(first_name, ''), nullif(last_name, ''))") }} as user_full_name,
    nullif(preferred_name, '') as user_preferred_name,
    nullif(country, '') as user_address_country,
    nullif(state_or_territory, '') as user_address_state_or_territory,
    nullif(city, '') as user_address_city,
    nullif(postal_code, '') as user_address_postal_code,
    nullif(address, '') as user_street_address,
    birth_country as user_birth_country,
    nationality as user_nationality,
    date_of_birth as user_birth_date,
    {{ gender_label('gender') }} as user_gender,
    {{ education_label('edx_level_of_education') }} as user_highest_education,
    nullif(edx_employer, '') as user_employer,
    nullif(edx_job_title, '') as user_job_title,
    email_optin as user_email_is_optin,
    filled_out as user_profile_is_filled_out,
    verified_micromaster_user as user_is_verified,
    date_joined_micromasters as user_joined_on,
    updated_on as user_profile_updated_on
from deduplicated
