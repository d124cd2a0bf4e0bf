with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__user_info_combo') }}
),

deduplicated as ({{ deduplicate_raw_table('source', 'user_id') }})

select
    user_id,
    username as user_username,
    email as user_email,
    profile_country as user_country,
    enrollment_created as user_first_enrollment_created_on
from deduplicated
