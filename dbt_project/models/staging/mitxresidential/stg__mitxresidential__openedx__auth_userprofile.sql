with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__mitx__openedx__mysql__auth_userprofile') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'id') }})

select
    id as user_profile_id,
    user_id,
    -- Names are typed by the learner: runs of spaces squeezed to one.
    {{ squeeze_whitespace('name') }} as user_full_name,
    year_of_birth as user_birth_year,
    nullif(trim(city), '') as user_address_city,
    nullif(trim(country), '') as user_address_country,
    {{ openedx_profile_gender('gender') }} as user_gender,
    {{ openedx_profile_education('level_of_education') }} as user_highest_education
from deduplicated
